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
        ["sequence", "time", "actor", "stream_type", "stream_id", "version", "event_type", "summary", "correlation_id", "causation_id"];

    public static async Task<int> WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, CancellationToken ct = default)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(string.Join(',', Header) + "\r\n");
        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            await writer.WriteAsync(CsvLine(row));
            if (++count % 500 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
        return count;
    }

    public static string CsvLine(AuditEntry row) => string.Join(',',
        CsvCell(row.Sequence.ToString(CultureInfo.InvariantCulture)),
        CsvCell(row.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        CsvCell(row.Actor),
        CsvCell(row.StreamType),
        CsvCell(row.StreamId.ToString()),
        CsvCell(row.Version.ToString(CultureInfo.InvariantCulture)),
        CsvCell(row.EventType),
        CsvCell(row.Summary),
        CsvCell(row.CorrelationId ?? ""),
        CsvCell(row.CausationId ?? "")) + "\r\n";

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe for any cell a spreadsheet would read as a formula
    /// (= + - @, tab, CR, also after leading spaces), so an event's text can never run in the auditor's spreadsheet.
    /// </summary>
    public static string CsvCell(string value)
    {
        var trimmed = value.TrimStart(' ');
        if (value.Length > 0 && (IsFormulaStart(value[0]) || trimmed.Length > 0 && IsFormulaStart(trimmed[0])))
            value = "'" + value;
        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value.StartsWith(' ') || value.EndsWith(' ');
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    public static async Task<int> WriteJsonAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, CancellationToken ct = default)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartArray();
        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", row.Sequence);
            json.WriteString("time", row.Timestamp.UtcDateTime);
            json.WriteString("actor", row.Actor);
            json.WriteString("streamType", row.StreamType);
            json.WriteString("streamId", row.StreamId);
            json.WriteNumber("version", row.Version);
            json.WriteString("eventType", row.EventType);
            json.WriteString("summary", row.Summary);
            json.WriteString("correlationId", row.CorrelationId);
            json.WriteString("causationId", row.CausationId);
            json.WriteEndObject();
            if (++count % 500 == 0) await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        await json.FlushAsync(ct);
        return count;
    }
}
