using Databunker.Core.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Databunker.Core.Expiration;

/// <summary>Registers the expiration module and its forget step.</summary>
internal static class ExpirationModule
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<IExpirationManager, ExpirationManager>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IErasureStep, ExpirationErasureStep>());
    }
}
