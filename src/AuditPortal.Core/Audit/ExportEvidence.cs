using AuditPortal.Core.Database;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AuditPortal.Core.Integrity;

namespace AuditPortal.Core.Audit;

/// <summary>
/// What an evidence export adds to each row, and the signed manifest at its end (docs/evidence-export.md).
/// <list type="bullet">
/// <item>The row's seal from the hash chain, the seal before it in the chain and the exact text the database hashed
/// (<see cref="EventSeals.CanonicalSql"/>): seal = SHA-256(previous seal ‖ SHA-256(sealed event)), so each row checks
/// alone, however many events the filter skipped between two rows.</item>
/// <item>The sequence of the row written just above it, and a link in the export's own chain over every cell as
/// written: link = SHA-256(link above ‖ SHA-256(cells)), starting from the export id. A removed, moved, edited or
/// foreign row breaks the chain at that row.</item>
/// <item>The manifest: who, when, the filter, the sequence range, the row count, the last link, and a checkpoint of
/// the newest row's seal, signed with the checkpoint key (ECDSA P-256), so the receiver needs only the public key.</item>
/// </list>
/// One instance per export, used by one writer in row order. <paramref name="textScannedAbove"/> is asked at the end:
/// where a capped text search stopped (the feed knows once it has read).
/// </summary>
public sealed class ExportEvidence(Guid exportId, string exportedBy, DateTimeOffset exportedAt, AuditFilter filter, long sealedThrough,
    Func<long?> textScannedAbove, ECDsa signingKey, ExportEvidence.SealLookup lookup)
{
    public const string FormatName = "auditportal-evidence-v1";
    public const string CsvMarker = "evidence";
    public static readonly string[] CsvColumns = ["preceding_sequence", "previous_seal", "seal", "sealed_event", "export_chain"];
    public static readonly string[] JsonColumns = ["precedingSequence", "previousSeal", "seal", "sealedEvent", "exportChain"];

    /// <summary>The seals of some sequence numbers (absent: no seal).</summary>
    public delegate Task<IReadOnlyDictionary<long, RowSeal>> SealLookup(IReadOnlyList<long> sequences, CancellationToken ct);

    private readonly Dictionary<long, RowSeal> _seals = [];
    private byte[] _link = Seed(exportId);
    private long? _above;
    private long? _newest, _oldest;
    private string? _newestSeal;

    /// <summary>The newest seal when the export started: it covers events up to this sequence number only.</summary>
    public long SealedThrough => sealedThrough;

    /// <summary>
    /// The evidence of one export over <paramref name="store"/>'s events: covers what is sealed at this moment
    /// (<see cref="SealedThrough"/>, to pass to the feed's read) and reads seals batch by batch.
    /// </summary>
    public static async Task<ExportEvidence> ForStoreAsync(Marten.IDocumentStore store, Guid exportId, string exportedBy, DateTimeOffset exportedAt,
        AuditFilter filter, Func<long?> textScannedAbove, ECDsa signingKey, CancellationToken ct = default)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        long through;
        await using (var conn = await store.OpenConnectionAsync(ct)) through = await SealedThroughAsync(conn, schema, ct);
        return new ExportEvidence(exportId, exportedBy, exportedAt, filter, through, textScannedAbove, signingKey, async (sequences, token) =>
        {
            await using var conn = await store.OpenConnectionAsync(token);
            return await ReadSealsAsync(conn, schema, sequences, token);
        });
    }

    public async Task LoadSealsAsync(IReadOnlyList<long> sequences, CancellationToken ct)
    {
        _seals.Clear();
        foreach (var (seq, seal) in await lookup(sequences, ct)) _seals[seq] = seal;
    }

    /// <summary>
    /// The evidence values of the next row (in <see cref="CsvColumns"/> order), given its cells as written; the chain
    /// covers those cells and the evidence values but the link itself. <paramref name="nullAs"/>: how the format writes a null.
    /// </summary>
    public string?[] Next(long sequence, IReadOnlyList<string?> cellsAsWritten, string? nullAs)
    {
        _seals.TryGetValue(sequence, out var seal);
        string?[] proof =
        [
            _above?.ToString(CultureInfo.InvariantCulture) ?? nullAs,
            seal?.PreviousSeal ?? nullAs,
            seal?.Seal ?? nullAs,
            seal?.SealedEvent ?? nullAs,
            null,
        ];
        _link = Link(_link, Digest([.. cellsAsWritten, .. proof[..^1]]));
        proof[^1] = Convert.ToHexStringLower(_link);
        _above = sequence;
        if (_newest is null) { _newest = sequence; _newestSeal = seal?.Seal; }
        _oldest = sequence;
        return proof;
    }

    /// <summary>The signed manifest, once every row is written.</summary>
    public EvidenceManifest Finish(string format, int rows, bool truncated)
    {
        Checkpoint? checkpoint = _newest is { } newest && _newestSeal is { } head ? Checkpoint.Create(newest, head, exportedAt, signingKey) : null;
        var f = filter.Normalized();
        var manifest = new EvidenceManifest(FormatName, exportId.ToString(), exportedBy, AuditExport.Time(exportedAt), format,
            new EvidenceFilter(f.Actor, f.StreamType, f.EventType, f.StreamId?.ToString(), f.From is { } from ? AuditExport.Time(from) : null,
                f.To is { } to ? AuditExport.Time(to) : null, f.Text, f.Correlation),
            f.Describe(), sealedThrough, rows, _oldest, _newest, truncated, textScannedAbove(), Convert.ToHexStringLower(_link),
            checkpoint is null ? null : EvidenceCheckpoint.From(checkpoint), "");
        return manifest.Sign(signingKey);
    }

    /// <summary>The chain's start: tied to this export, so no row of another export links into it.</summary>
    public static byte[] Seed(Guid exportId) => SHA256.HashData(Encoding.UTF8.GetBytes("auditportal-export-v1|" + exportId.ToString()));

    /// <summary>SHA-256 of the row's values as a JSON array (unambiguous; null stays null).</summary>
    public static byte[] Digest(IReadOnlyList<string?> values) => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(values));

    public static byte[] Link(byte[] previous, byte[] digest) => EventSeals.Chain(previous, digest);

    /// <summary>The newest sealed sequence number: an evidence export covers only events sealed when it starts.</summary>
    public static async Task<long> SealedThroughAsync(NpgsqlConnection conn, string schema, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.{EventSeals.TableName}", conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Each sequence's seal, the seal before it in the chain (zeros for the first) and the text its row hash was computed
    /// over (per the seal's hash version), in one query.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, RowSeal>> ReadSealsAsync(NpgsqlConnection conn, string schema, IReadOnlyList<long> sequences,
        CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            $"""
            select s.seq_id, s.chain_hash,
                   coalesce((select p.chain_hash from {schema}.{EventSeals.TableName} p where p.seq_id < s.seq_id order by p.seq_id desc limit 1),
                            decode(repeat('00', 32), 'hex')),
                   case when s.hash_version = 1 then {EventSeals.CanonicalV1Sql("e")} else {EventSeals.CanonicalSql("e")} end
            from {schema}.{EventSeals.TableName} s join {schema}.mt_events e on e.seq_id = s.seq_id
            where s.seq_id = any(@seqs)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. sequences] });
        var found = new Dictionary<long, RowSeal>(sequences.Count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            found[seq] = new RowSeal(seq, Convert.ToHexStringLower((byte[])reader[2]), Convert.ToHexStringLower((byte[])reader[1]), reader.GetString(3));
        }
        return found;
    }
}

/// <summary>One event's place in the hash chain: the seal before it, its own, and the text its row hash covers.</summary>
public sealed record RowSeal(long Sequence, string PreviousSeal, string Seal, string SealedEvent);

/// <summary>The export's filter as it ran (normalized; times UTC ISO 8601 with offset).</summary>
public sealed record EvidenceFilter(string? Actor, string? StreamType, string? EventType, string? StreamId, string? From, string? To, string? Text, string? Correlation);

/// <summary>A checkpoint line (<see cref="Checkpoint.ToLine"/>) inside the manifest.</summary>
public sealed record EvidenceCheckpoint(long Sequence, string Head, string At, string Signature, string Alg)
{
    public static EvidenceCheckpoint From(Checkpoint c)
    {
        using var doc = JsonDocument.Parse(c.ToLine());
        return new EvidenceCheckpoint(c.Sequence, c.Head, doc.RootElement.GetProperty("at").GetString()!, c.Signature, c.Algorithm);
    }

    /// <summary>The same checkpoint as the portal's checkpoint file holds (append it there for verify-events).</summary>
    public string ToLine() => JsonSerializer.Serialize(new { sequence = Sequence, head = Head, at = At, signature = Signature, alg = Alg });

    public Checkpoint? ToCheckpoint()
    {
        try { return Checkpoint.Parse(ToLine()); }
        catch (FormatException) { return null; }
    }
}

/// <summary>
/// The last element of an evidence export. Signed with the checkpoint key over "auditportal-export-v1|" and this record
/// as JSON without its signature: every field is a string, number, boolean or null, so a verifier that reads it back
/// writes the same bytes.
/// </summary>
public sealed record EvidenceManifest(
    string Format, string ExportId, string ExportedBy, string ExportedAt, string FileFormat, EvidenceFilter Filter, string FilterDescription,
    long SealedThrough, long Rows, long? OldestSequence, long? NewestSequence, bool Truncated, long? TextScannedAbove, string ExportChain,
    EvidenceCheckpoint? Checkpoint, string Signature)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Readable times ("+00:00", not "\u002B00:00"); the file is a download, never rendered as HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    // Raw text: serializing into the writer would flush it synchronously, which a response body refuses.
    public void WriteTo(Utf8JsonWriter json) => json.WriteRawValue(ToJson(), skipInputValidation: true);

    public static EvidenceManifest? Parse(string json) => JsonSerializer.Deserialize<EvidenceManifest>(json, Options);

    public static EvidenceManifest? Parse(JsonElement json) => json.Deserialize<EvidenceManifest>(Options);

    private byte[] SignedBytes() => Encoding.UTF8.GetBytes("auditportal-export-v1|" + JsonSerializer.Serialize(this with { Signature = "" }, Options));

    public EvidenceManifest Sign(ECDsa key) =>
        this with { Signature = Convert.ToHexStringLower(key.SignData(SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)) };

    public bool IsValid(ECDsa publicKey)
    {
        byte[] given;
        try { given = Convert.FromHexString(Signature ?? ""); } catch (FormatException) { return false; }
        return publicKey.VerifyData(SignedBytes(), given, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
