namespace AuditPortal.Core.Common;

/// <summary>
/// Ids derived from a name rather than drawn: the same name gives the same id on every node and every run, so a
/// stream (a user's access log, a token's usage) or an event (one refusal per minute) is found, or deduplicated, without a lookup.
/// </summary>
public static class NameBasedId
{
    /// <summary>A name-based UUID (RFC 9562 version 5 layout: SHA-1 of <paramref name="name"/>, version and variant bits set).</summary>
    public static Guid Of(string name)
    {
        var bytes = SHA1.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
