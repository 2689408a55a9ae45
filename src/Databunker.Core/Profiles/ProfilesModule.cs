using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Databunker.Core.Profiles;

/// <summary>Registers the profiles module.</summary>
internal static class ProfilesModule
{
    public static void Add(IServiceCollection services) =>
        services.TryAddSingleton<IPersonalDataVault, PersonalDataVault>();
}
