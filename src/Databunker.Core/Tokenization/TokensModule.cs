using Databunker.Core.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Databunker.Core.Tokenization;

/// <summary>Registers the tokens module and its contributions: its forget step and the re-sealing of a key renewal.</summary>
internal static class TokensModule
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<Tokenizer>();
        services.TryAddSingleton<ITokenizer>(sp => sp.GetRequiredService<Tokenizer>());
        services.TryAddSingleton<ITokenSealRenewal>(sp => sp.GetRequiredService<Tokenizer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IErasureStep, TokenErasureStep>());
    }
}
