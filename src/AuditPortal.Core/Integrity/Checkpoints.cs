namespace AuditPortal.Core.Integrity;

/// <summary>
/// A chain head published outside the database: sequence number, chain hash and time, signed with ECDSA P-256
/// (SHA-256) under a private key only the publishing node holds (Integrity:CheckpointSigningKey). A verifier holds only
/// the public key (Integrity:CheckpointPublicKey), so handing it out lets nobody forge a checkpoint. Someone who
/// rewrites the events and recomputes every seal (a superuser) still cannot make the chain recomputed from the events
/// reach a head published before.
/// Lines written before this format (HMAC-SHA256 under a shared key, no "alg") are read as old format: listed, not
/// verifiable with a public key, and not used as expected heads.
/// </summary>
public sealed record Checkpoint(long Sequence, string Head, DateTimeOffset At, string Signature, string Algorithm = Checkpoint.EcdsaP256)
{
    public const string EcdsaP256 = "ES256";
    public const string OldHmac = "HS256";

    public static Checkpoint Create(long sequence, string head, DateTimeOffset at, ECDsa signingKey)
    {
        var normalized = new Checkpoint(sequence, head.ToLowerInvariant(), at.ToUniversalTime(), "");
        var signature = signingKey.SignData(normalized.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return normalized with { Signature = Convert.ToHexStringLower(signature) };
    }

    /// <summary>Whether the public key confirms the signature; an old-format (HMAC) line never does.</summary>
    public bool IsValid(ECDsa publicKey)
    {
        if (Algorithm != EcdsaP256) return false;
        byte[] given;
        try { given = Convert.FromHexString(Signature); } catch (FormatException) { return false; }
        return publicKey.VerifyData(SignedBytes(), given, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    // The same bytes as the HMAC format signed: only the algorithm changed.
    private byte[] SignedBytes() => Encoding.UTF8.GetBytes(
        $"auditportal-checkpoint-v1|{Sequence.ToString(CultureInfo.InvariantCulture)}|{Head}|{At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}");

    /// <summary>One JSON object per line: the form written to the checkpoint file and the log.</summary>
    public string ToLine() => JsonSerializer.Serialize(new Line(Sequence, Head, At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), Signature, Algorithm));

    public static Checkpoint? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        var l = JsonSerializer.Deserialize<Line>(line) ?? throw new FormatException("Not a checkpoint line.");
        if (l.head is null || l.signature is null || l.at is null) throw new FormatException("A checkpoint line needs sequence, head, at and signature.");
        var at = DateTime.Parse(l.at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return new Checkpoint(l.sequence, l.head, new DateTimeOffset(at, TimeSpan.Zero), l.signature, l.alg ?? OldHmac);
    }

    /// <summary>
    /// Reads a checkpoint file with the public key: the lines it confirms; the lines it refuses (forged or edited,
    /// named by line and sequence); and old-format lines (HMAC), which a public key cannot check.
    /// </summary>
    public static CheckpointFile ReadFile(string path, ECDsa publicKey)
    {
        var valid = new List<Checkpoint>();
        var problems = new List<string>();
        var old = new List<string>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            Checkpoint? checkpoint;
            try { checkpoint = Parse(line); }
            catch (Exception e) when (e is FormatException or JsonException) { problems.Add($"line {number} of {path} is not a checkpoint: {e.Message}"); continue; }
            if (checkpoint is null) continue;
            if (checkpoint.Algorithm == OldHmac)
                old.Add($"line {number} of {path} (sequence {checkpoint.Sequence}) is in the old format (HMAC), not verifiable with the public key: not used");
            else if (checkpoint.IsValid(publicKey)) valid.Add(checkpoint);
            else problems.Add($"line {number} of {path} (sequence {checkpoint.Sequence}) has a signature the public key does not confirm (forged or edited)");
        }
        return new CheckpointFile(valid, problems, old);
    }

    // Lower-case names keep the file readable and stable.
#pragma warning disable IDE1006
    private sealed record Line(long sequence, string? head, string? at, string? signature, string? alg);
#pragma warning restore IDE1006
}

public sealed record CheckpointFile(IReadOnlyList<Checkpoint> Valid, IReadOnlyList<string> Problems, IReadOnlyList<string> OldFormat);

/// <summary>The checkpoint key pair: ECDSA P-256 in PEM (PKCS#8 private key, SubjectPublicKeyInfo public key).</summary>
public static class CheckpointKeys
{
    /// <summary>A new pair, as PEM text.</summary>
    public static (string PrivatePem, string PublicPem) Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>
    /// A key from a setting: the PEM text itself, or the path of a PEM file (so a secret mounted as a file works).
    /// <paramref name="setting"/> names the setting in the error.
    /// </summary>
    public static ECDsa Load(string value, string setting, bool privateKey)
    {
        var text = value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? value
            : File.Exists(value.Trim()) ? File.ReadAllText(value.Trim())
            : throw new FormatException($"{setting} is neither a PEM key nor the path of a PEM file.");
        var key = ECDsa.Create();
        try { key.ImportFromPem(text); }
        catch (ArgumentException e) { key.Dispose(); throw new FormatException($"{setting} is not a readable PEM key: {e.Message}"); }
        if (key.KeySize != 256) { key.Dispose(); throw new FormatException($"{setting} must be an ECDSA P-256 key (e.g. from `new-checkpoint-key`)."); }
        if (privateKey)
        {
            try { key.ExportParameters(includePrivateParameters: true); }
            catch (CryptographicException) { key.Dispose(); throw new FormatException($"{setting} holds a public key; it needs the private key."); }
        }
        return key;
    }

    /// <summary>Whether <paramref name="publicKey"/> is the public half of <paramref name="signingKey"/>.</summary>
    public static bool ArePair(ECDsa signingKey, ECDsa publicKey) =>
        signingKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo());

    /// <summary>The public half of a signing key (a verifier object that cannot sign).</summary>
    public static ECDsa PublicOf(ECDsa signingKey)
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(signingKey.ExportSubjectPublicKeyInfo(), out _);
        return key;
    }
}
