using System.Security.Cryptography;
using Databunker.Core.Consent;
using Databunker.Core.Kernel.Crypto;

namespace Databunker.Core.Tests.Support;

/// <summary>The audit and consent chains that storages built directly by the tests link their events with, under random keys.</summary>
public static class TestAuditChain
{
    private static readonly AuditChain Chain = Create();
    private static readonly ConsentChain Consents = CreateConsentChain();

    internal static AuditChain Shared => Chain;

    internal static ConsentChain SharedConsents => Consents;

    private static ConsentChain CreateConsentChain()
    {
        var chain = new ConsentChain();
        chain.UseKey(RandomNumberGenerator.GetBytes(32));
        return chain;
    }

    private static AuditChain Create()
    {
        var chain = new AuditChain();
        chain.UseKey(RandomNumberGenerator.GetBytes(32));
        return chain;
    }
}
