using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of the subject-access export (<see cref="Export.IPersonExporter"/>): it writes one JSON value, the
/// module's section, for a person. Every module that keeps data about a person registers one, through
/// <see cref="ExportSection{TService}.Add"/>, naming the storage role its data lives in: a test holds the sections'
/// roles to the forget steps' roles, so that a module cannot be forgotten by the export.
/// </summary>
internal interface IExportSection
{
    /// <summary>The section's name in the export document.</summary>
    string Name { get; }

    /// <summary>The storage role that holds the module's data about a person.</summary>
    Type Role { get; }

    /// <summary>Writes the section's value (an object, an array or null) for <see cref="ExportContext.Person"/>.</summary>
    Task WriteAsync(Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken);
}

/// <summary>What an export section needs: the person, their data key, the vault's keys and the time of the export.</summary>
/// <param name="Person">The person exported.</param>
/// <param name="DataKey">The person's data key, unwrapped; the exporter zeroes it.</param>
/// <param name="Keys">The vault's system keys.</param>
/// <param name="Now">The export's time, Unix milliseconds.</param>
internal sealed record ExportContext(Guid Person, byte[] DataKey, SystemKeys Keys, long Now)
{
    /// <summary>How much a section may leave in the writer's buffer before it hands it to the stream.</summary>
    public const int FlushThreshold = 32 * 1024;

    /// <summary>Hands what the writer holds to the stream once it passes <see cref="FlushThreshold"/>, so that a long section never sits in memory whole.</summary>
    public static ValueTask MaybeFlushAsync(Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        writer.BytesPending > FlushThreshold ? new ValueTask(writer.FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    /// <summary>Writes a Unix-milliseconds time as an ISO 8601 string.</summary>
    public static void WriteTime(Utf8JsonWriter writer, string name, long? unixMilliseconds)
    {
        if (unixMilliseconds is { } ms)
        {
            writer.WriteString(name, DateTimeOffset.FromUnixTimeMilliseconds(ms));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}

/// <summary>A module's export section made from one of its services, so that the exporter holds no module's implementation.</summary>
/// <typeparam name="TService">The service the section is written with.</typeparam>
internal sealed class ExportSection<TService>(string name, Type role, TService service, Func<TService, Utf8JsonWriter, ExportContext, CancellationToken, Task> write) : IExportSection
    where TService : class
{
    public string Name => name;

    public Type Role => role;

    public Task WriteAsync(Utf8JsonWriter writer, ExportContext context, CancellationToken cancellationToken) => write(service, writer, context, cancellationToken);

    /// <summary>Registers the section of the module whose data lives in <typeparamref name="TRole"/>, once.</summary>
    /// <typeparam name="TRole">The module's storage role.</typeparam>
    public static void Add<TRole>(IServiceCollection services, string name, Func<TService, Utf8JsonWriter, ExportContext, CancellationToken, Task> write)
        where TRole : IStorageRole =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExportSection, ExportSection<TService>>(
            sp => new ExportSection<TService>(name, typeof(TRole), sp.GetRequiredService<TService>(), write)));
}
