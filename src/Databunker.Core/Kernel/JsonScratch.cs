using System.Buffers;
using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>
/// A UTF-8 JSON writer and its buffer, kept per thread for the profile and audit-detail JSON that is written,
/// sealed and dropped on every create and update (a new writer and buffer per call were about a kilobyte of
/// each call's allocations). The buffer holds personal data while in use: giving it back zeroes all of it.
/// Use it without an await between taking and disposing it.
/// </summary>
internal sealed class JsonScratch : IDisposable
{
    /// <summary>A buffer that grew past this is not kept.</summary>
    private const int KeepUpTo = 64 * 1024;

    [ThreadStatic]
    private static JsonScratch? t_profile;

    [ThreadStatic]
    private static JsonScratch? t_details;

    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly bool _forProfile;

    private JsonScratch(bool forProfile, JsonWriterOptions options)
    {
        _forProfile = forProfile;
        Writer = new Utf8JsonWriter(_buffer, options);
    }

    /// <summary>The writer; flush it (or read <see cref="Written"/>) before looking at the bytes.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>What was written, flushed first.</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenSpan;
        }
    }

    /// <summary>A scratch writer with the profile's options (<see cref="ProfileCodec"/>).</summary>
    public static JsonScratch ForProfile(JsonWriterOptions options)
    {
        var scratch = t_profile ?? new JsonScratch(forProfile: true, options);
        t_profile = null;
        return scratch;
    }

    /// <summary>A scratch writer with System.Text.Json's default options, for audit details.</summary>
    public static JsonScratch ForDetails()
    {
        var scratch = t_details ?? new JsonScratch(forProfile: false, default);
        t_details = null;
        return scratch;
    }

    /// <summary>Zeroes the whole buffer, written or not, and keeps the scratch for the thread's next call.</summary>
    public void Dispose()
    {
        Writer.Reset(_buffer);
        _buffer.Clear();
        _buffer.GetSpan().Clear();
        if (_buffer.Capacity > KeepUpTo)
        {
            return;
        }

        if (_forProfile)
        {
            t_profile = this;
        }
        else
        {
            t_details = this;
        }
    }
}
