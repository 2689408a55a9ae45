using System.Security.Cryptography;
using Databunker.Core.Kernel.Crypto;

namespace Databunker.Core.Tests.Support;

/// <summary>The audit chain that storages built directly by the tests link their events with, under a random key.</summary>
public static class TestAuditChain
{
    private static readonly AuditChain Chain = Create();

    internal static AuditChain Shared => Chain;

    private static AuditChain Create()
    {
        var chain = new AuditChain();
        chain.UseKey(RandomNumberGenerator.GetBytes(32));
        return chain;
    }
}
