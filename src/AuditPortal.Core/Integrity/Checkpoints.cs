using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AuditPortal.Core.Integrity;

/// <summary>
/// A chain head published outside the database: sequence number, chain hash and time, signed with HMAC-SHA256
/// under a key the database never sees (Integrity:CheckpointKey). Someone who rewrites the events and recomputes
/// every seal (a superuser) still cannot make the chain recomputed from the events reach a head published before.
/// </summary>
public sealed record Checkpoint(long Sequence, string Head, DateTimeOffset At, string Signature)
{
    public const int MinimumKeyBytes = 32;

    public static Checkpoint Create(long sequence, string head, DateTimeOffset at, byte[] key)
    {
        var normalized = new Checkpoint(sequence, head.ToLowerInvariant(), at.ToUniversalTime(), "");
        return normalized with { Signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, normalized.SignedBytes())) };
    }

    /// <summary>Constant-time comparison of the signature with the one the key gives.</summary>
    public bool IsValid(byte[] key)
    {
        byte[] given;
        try { given = Convert.FromHexString(Signature); } catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(key, SignedBytes()));
    }

    private byte[] SignedBytes() => Encoding.UTF8.GetBytes(
        $"auditportal-checkpoint-v1|{Sequence.ToString(CultureInfo.InvariantCulture)}|{Head}|{At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}");

    /// <summary>One JSON object per line: the form written to the checkpoint file and the log.</summary>
    public string ToLine() => JsonSerializer.Serialize(new Line(Sequence, Head, At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), Signature));

    public static Checkpoint? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        var l = JsonSerializer.Deserialize<Line>(line) ?? throw new FormatException("Not a checkpoint line.");
        var at = DateTime.Parse(l.at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return new Checkpoint(l.sequence, l.head, new DateTimeOffset(at, TimeSpan.Zero), l.signature);
    }

    /// <summary>A key from configuration: base64 or hex, at least 32 bytes.</summary>
    public static byte[] ParseKey(string text)
    {
        text = text.Trim();
        byte[] key;
        try { key = Convert.FromHexString(text); }
        catch (FormatException) { key = Convert.FromBase64String(text); }
        if (key.Length < MinimumKeyBytes) throw new FormatException($"Integrity:CheckpointKey must be at least {MinimumKeyBytes} bytes (base64 or hex).");
        return key;
    }

    /// <summary>Reads a checkpoint file, refusing any line whose signature the key does not confirm.</summary>
    public static (List<Checkpoint> Valid, List<string> Problems) ReadFile(string path, byte[] key)
    {
        var valid = new List<Checkpoint>();
        var problems = new List<string>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            Checkpoint? checkpoint;
            try { checkpoint = Parse(line); }
            catch (Exception e) when (e is FormatException or JsonException) { problems.Add($"line {number} of {path} is not a checkpoint: {e.Message}"); continue; }
            if (checkpoint is null) continue;
            if (checkpoint.IsValid(key)) valid.Add(checkpoint);
            else problems.Add($"line {number} of {path} (sequence {checkpoint.Sequence}) has a signature the key does not confirm (forged or edited)");
        }
        return (valid, problems);
    }

    // Lower-case names keep the file readable and stable.
#pragma warning disable IDE1006
    private sealed record Line(long sequence, string head, string at, string signature);
#pragma warning restore IDE1006
}
