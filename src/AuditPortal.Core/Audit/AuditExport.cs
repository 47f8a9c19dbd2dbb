using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AuditPortal.Core.Audit;

/// <summary>CSV and JSON writers for the audit feed, written row by row so an export of any size streams.</summary>
public static class AuditExport
{
    public const string Csv = "csv";
    public const string Json = "json";

    private static readonly string[] Header =
        ["sequence", "time", "actor", "actor_name", "stream_type", "stream_id", "version", "event_type", "summary", "correlation_id", "causation_id"];

    /// <summary>Rows per display-name lookup and per flush: one query per batch, never one per row.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// The display names of a batch's actors, keyed by lower-cased user name (<see cref="AuditFeed.ExportDisplayNamesAsync"/>,
    /// the one lookup); without one, the name column stays empty.
    /// </summary>
    public delegate Task<IReadOnlyDictionary<string, string>> DisplayNameLookup(IEnumerable<string> actors, CancellationToken ct);

    public static async Task<int> WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, DisplayNameLookup? names = null, CancellationToken ct = default) =>
        (await WriteCsvAsync(rows, output, int.MaxValue, names, ct)).Rows;

    /// <summary>
    /// Writes at most <paramref name="maxRows"/> rows; a further row (ask the feed for one more) means the limit cut the
    /// export short, which a last line says in the summary column, marked "truncated" in the sequence column.
    /// </summary>
    public static async Task<ExportOutcome> WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, int maxRows, DisplayNameLookup? names = null,
        CancellationToken ct = default)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(CsvRow(Header));
        var count = 0;
        var truncated = false;
        await foreach (var (row, name) in NamedAsync(rows, names, ct))
        {
            if (count == maxRows)
            {
                truncated = true;
                var last = new string[Header.Length];
                Array.Fill(last, "");
                last[0] = "truncated";
                last[Array.IndexOf(Header, "summary")] = TruncatedMessage(maxRows);
                await writer.WriteAsync(CsvRow(last));
                break;
            }
            await writer.WriteAsync(CsvLine(row, name));
            if (++count % BatchSize == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
        return new ExportOutcome(count, truncated);
    }

    /// <summary>Each row with its actor's display name (null when unknown), looked up once per <see cref="BatchSize"/> rows.</summary>
    private static async IAsyncEnumerable<(AuditEntry Row, string? Name)> NamedAsync(IAsyncEnumerable<AuditEntry> rows, DisplayNameLookup? names,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var batch = new List<AuditEntry>(BatchSize);
        await foreach (var row in rows.WithCancellation(ct))
        {
            batch.Add(row);
            if (batch.Count < BatchSize) continue;
            foreach (var named in await NameAsync(batch, names, ct)) yield return named;
            batch.Clear();
        }
        if (batch.Count > 0)
            foreach (var named in await NameAsync(batch, names, ct)) yield return named;
    }

    private static async Task<(AuditEntry, string?)[]> NameAsync(List<AuditEntry> batch, DisplayNameLookup? names, CancellationToken ct)
    {
        var found = names is null ? null : await names(batch.Select(r => r.Actor).Distinct(StringComparer.OrdinalIgnoreCase), ct);
        return [.. batch.Select(r => (r, found?.GetValueOrDefault(r.Actor.Trim().ToLowerInvariant())))];
    }

    public static string TruncatedMessage(int maxRows) =>
        $"Export cut at the limit of {maxRows.ToString("N0", CultureInfo.InvariantCulture)} rows: more rows match. Narrow the filter (time window, actor, stream) to export the rest.";

    public static string CsvLine(AuditEntry row, string? actorName = null) => CsvRow(
        row.Sequence.ToString(CultureInfo.InvariantCulture),
        row.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        row.Actor,
        actorName ?? "",
        row.StreamType,
        row.StreamId.ToString(),
        row.Version.ToString(CultureInfo.InvariantCulture),
        row.EventType,
        row.Summary,
        row.CorrelationId ?? "",
        row.CausationId ?? "");

    /// <summary>One CSV line of escaped cells (<see cref="CsvCell"/>), for every CSV the portal writes (audit feed, access review).</summary>
    public static string CsvRow(params string[] cells) => string.Join(',', cells.Select(CsvCell)) + "\r\n";

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe for any cell a spreadsheet would read as a formula: = + - @ and their
    /// full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20, which some spreadsheets fold to ASCII), tab, CR or LF, also
    /// behind any run of leading whitespace (spaces, tabs, NBSP, ideographic space and the other Unicode spaces,
    /// zero-width ones included), so an event's text can never run in the auditor's spreadsheet.
    /// </summary>
    public static string CsvCell(string value)
    {
        if (value.Length > 0 && (IsFormulaStart(value[0]) || FirstAfterSpaces(value) is { } first && IsFormulaStart(first)))
            value = "'" + value;
        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value.Length > 0 && (IsSpace(value[0]) || IsSpace(value[^1]));
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or '\uFF1D' or '\uFF0B' or '\uFF0D' or '\uFF20';

    /// <summary>Whitespace a spreadsheet may skip before reading a formula: every Unicode space and the zero-width ones.</summary>
    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF';

    private static char? FirstAfterSpaces(string value)
    {
        foreach (var c in value)
        {
            if (c is '\t' or '\r' or '\n') return c;
            if (!IsSpace(c)) return c;
        }
        return null;
    }

    public static async Task<int> WriteJsonAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, DisplayNameLookup? names = null, CancellationToken ct = default) =>
        (await WriteJsonAsync(rows, output, int.MaxValue, names, ct)).Rows;

    /// <summary>An array of rows; when the limit cut it short, a last element {"truncated": true, "rowLimit": n, "message": …}.</summary>
    public static async Task<ExportOutcome> WriteJsonAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, int maxRows, DisplayNameLookup? names = null,
        CancellationToken ct = default)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartArray();
        var count = 0;
        var truncated = false;
        await foreach (var (row, name) in NamedAsync(rows, names, ct))
        {
            if (count == maxRows)
            {
                truncated = true;
                json.WriteStartObject();
                json.WriteBoolean("truncated", true);
                json.WriteNumber("rowLimit", maxRows);
                json.WriteString("message", TruncatedMessage(maxRows));
                json.WriteEndObject();
                break;
            }
            json.WriteStartObject();
            json.WriteNumber("sequence", row.Sequence);
            json.WriteString("time", row.Timestamp.UtcDateTime);
            json.WriteString("actor", row.Actor);
            json.WriteString("actorName", name ?? "");
            json.WriteString("streamType", row.StreamType);
            json.WriteString("streamId", row.StreamId);
            json.WriteNumber("version", row.Version);
            json.WriteString("eventType", row.EventType);
            json.WriteString("summary", row.Summary);
            json.WriteString("correlationId", row.CorrelationId);
            json.WriteString("causationId", row.CausationId);
            json.WriteEndObject();
            if (++count % BatchSize == 0) await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        await json.FlushAsync(ct);
        return new ExportOutcome(count, truncated);
    }
}

/// <summary>Rows written, and whether the row limit cut the export short.</summary>
public sealed record ExportOutcome(int Rows, bool Truncated);
