namespace Databunker.Core.Privacy.Storage;

/// <summary>A published notice version.</summary>
/// <param name="Name">The notice's name.</param>
/// <param name="Version">Its version, from 1.</param>
/// <param name="ContentHash">SHA-256 of the text's UTF-8 bytes.</param>
/// <param name="Text">The text.</param>
/// <param name="PublishedAt">Unix milliseconds.</param>
public sealed record StoredNotice(string Name, int Version, byte[] ContentHash, string Text, long PublishedAt);
