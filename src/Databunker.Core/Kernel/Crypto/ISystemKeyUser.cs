namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// A module's holder of a subkey of the system keys (the consent chain's): the key ring hands it the keys each time it
/// loads them, so that the ring names no module.
/// </summary>
internal interface ISystemKeyUser
{
    void UseKeys(SystemKeys keys);
}
