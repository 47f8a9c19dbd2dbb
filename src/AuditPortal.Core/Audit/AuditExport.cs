namespace AuditPortal.Core.Audit;

/// <summary>CSV and JSON writers for the audit feed, written row by row so an export of any size streams.</summary>
public static class AuditExport
{
    public const string Csv = "csv";
    public const string Json = "json";

    /// <summary>The CSV columns, in order (the JSON properties are their camelCase forms, <see cref="JsonNames"/>).</summary>
    public static readonly string[] Header =
        ["sequence", "time", "actor", "actor_name", "stream_type", "stream_id", "version", "event_type", "summary", "correlation_id", "causation_id"];

    public static readonly string[] JsonNames =
        ["sequence", "time", "actor", "actorName", "streamType", "streamId", "version", "eventType", "summary", "correlationId", "causationId"];

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
    /// With <paramref name="evidence"/>, each row also carries its seal and its link in the export's chain, and a
    /// last line (sequence column "evidence") carries the signed manifest (<see cref="ExportEvidence"/>).
    /// </summary>
    public static async Task<ExportOutcome> WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, int maxRows, DisplayNameLookup? names = null,
        CancellationToken ct = default, ExportEvidence? evidence = null)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        var width = Header.Length + (evidence is null ? 0 : ExportEvidence.CsvColumns.Length);
        await writer.WriteAsync(CsvRow(evidence is null ? Header : [.. Header, .. ExportEvidence.CsvColumns]));
        var count = 0;
        var truncated = false;
        string[] Marker(string first, string summary)
        {
            var last = new string[width];
            Array.Fill(last, "");
            last[0] = first;
            last[Array.IndexOf(Header, "summary")] = summary;
            return last;
        }
        await foreach (var (row, name) in NamedAsync(rows, names, ct, evidence))
        {
            if (count == maxRows)
            {
                truncated = true;
                await writer.WriteAsync(CsvRow(Marker("truncated", TruncatedMessage(maxRows))));
                break;
            }
            if (evidence is null) await writer.WriteAsync(CsvLine(row, name));
            else
            {
                // The chain covers the cells exactly as written (formula guard included), which is what a verifier reads back.
                var cells = Cells(row, name).Select(c => Protect(c ?? "")).ToList();
                cells.AddRange(evidence.Next(row.Sequence, cells, nullAs: "").Select(c => c ?? ""));
                await writer.WriteAsync(string.Join(',', cells.Select(Quote)) + "\r\n");
            }
            if (++count % BatchSize == 0) await writer.FlushAsync(ct);
        }
        if (evidence is not null)
            await writer.WriteAsync(CsvRow(Marker(ExportEvidence.CsvMarker, evidence.Finish(AuditExport.Csv, count, truncated).ToJson())));
        await writer.FlushAsync(ct);
        return new ExportOutcome(count, truncated);
    }

    /// <summary>Each row with its actor's display name (null when unknown), looked up once per <see cref="BatchSize"/> rows.</summary>
    private static async IAsyncEnumerable<(AuditEntry Row, string? Name)> NamedAsync(IAsyncEnumerable<AuditEntry> rows, DisplayNameLookup? names,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, ExportEvidence? evidence = null)
    {
        var batch = new List<AuditEntry>(BatchSize);
        await foreach (var row in rows.WithCancellation(ct))
        {
            batch.Add(row);
            if (batch.Count < BatchSize) continue;
            foreach (var named in await NameAsync(batch, names, evidence, ct)) yield return named;
            batch.Clear();
        }
        if (batch.Count > 0)
            foreach (var named in await NameAsync(batch, names, evidence, ct)) yield return named;
    }

    private static async Task<(AuditEntry, string?)[]> NameAsync(List<AuditEntry> batch, DisplayNameLookup? names, ExportEvidence? evidence, CancellationToken ct)
    {
        var found = names is null ? null : await names(batch.Select(r => r.Actor).Distinct(StringComparer.OrdinalIgnoreCase), ct);
        // The seals of the batch: one query per batch, like the names.
        if (evidence is not null) await evidence.LoadSealsAsync(batch.Select(r => r.Sequence).ToList(), ct);
        return [.. batch.Select(r => (r, found?.GetValueOrDefault(r.Actor.Trim().ToLowerInvariant())))];
    }

    public static string TruncatedMessage(int maxRows) =>
        $"Export cut at the limit of {maxRows.ToString("N0", CultureInfo.InvariantCulture)} rows: more rows match. Narrow the filter (time window, actor, stream) to export the rest.";

    public static string CsvLine(AuditEntry row, string? actorName = null) => CsvRow([.. Cells(row, actorName).Select(c => c ?? "")]);

    /// <summary>
    /// One row's values in <see cref="Header"/> order, for both formats (null: no value; CSV writes it empty). Sequence and
    /// version are numbers in JSON.
    /// </summary>
    public static string?[] Cells(AuditEntry row, string? actorName) =>
    [
        row.Sequence.ToString(CultureInfo.InvariantCulture),
        Time(row.Timestamp),
        row.Actor,
        actorName ?? "",
        row.StreamType,
        row.StreamId.ToString(),
        row.Version.ToString(CultureInfo.InvariantCulture),
        row.EventType,
        row.Summary,
        row.CorrelationId,
        row.CausationId,
    ];

    /// <summary>UTC in ISO 8601 with its offset and the database's microseconds, e.g. 2026-12-07T14:05:09.123456+00:00.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>One CSV line of escaped cells (<see cref="CsvCell"/>), for every CSV the portal writes (audit feed, access review).</summary>
    public static string CsvRow(params string[] cells) => string.Join(',', cells.Select(CsvCell)) + "\r\n";

    /// <summary>A cell as a spreadsheet may safely read it (<see cref="CsvCell"/> without the quoting).</summary>
    public static string Protect(string value) =>
        value.Length > 0 && (IsFormulaStart(value[0]) || FirstAfterSpaces(value) is { } first && IsFormulaStart(first)) ? "'" + value : value;

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe for any cell a spreadsheet would read as a formula: = + - @ and their
    /// full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20, which some spreadsheets fold to ASCII), tab, CR or LF, also
    /// behind any run of leading whitespace (spaces, tabs, NBSP, ideographic space and the other Unicode spaces,
    /// zero-width ones included), so an event's text can never run in the auditor's spreadsheet.
    /// </summary>
    public static string CsvCell(string value) => Quote(Protect(value));

    private static string Quote(string value)
    {
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

    /// <summary>
    /// An array of rows; when the limit cut it short, a last element {"truncated": true, "rowLimit": n, "message": …}.
    /// With <paramref name="evidence"/>: an object {"rows": [...], "evidence": manifest}, each row with its seal and
    /// its link in the export's chain (<see cref="ExportEvidence"/>).
    /// </summary>
    public static async Task<ExportOutcome> WriteJsonAsync(IAsyncEnumerable<AuditEntry> rows, Stream output, int maxRows, DisplayNameLookup? names = null,
        CancellationToken ct = default, ExportEvidence? evidence = null)
    {
        // Evidence rows hold JSON text (the sealed event) inside strings: the default encoder's \u0022 for each quote
        // would nearly double them. The relaxed one still escapes quotes and control characters; the file is a download.
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions
        {
            Indented = false,
            Encoder = evidence is null ? null : System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        if (evidence is not null)
        {
            json.WriteStartObject();
            json.WritePropertyName("rows");
        }
        json.WriteStartArray();
        var count = 0;
        var truncated = false;
        await foreach (var (row, name) in NamedAsync(rows, names, ct, evidence))
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
            var cells = Cells(row, name);
            for (var i = 0; i < cells.Length; i++)
            {
                if (JsonNames[i] is "sequence" or "version") json.WriteNumber(JsonNames[i], long.Parse(cells[i]!, CultureInfo.InvariantCulture));
                else json.WriteString(JsonNames[i], cells[i]);
            }
            if (evidence is not null)
            {
                var proof = evidence.Next(row.Sequence, cells, nullAs: null);
                for (var i = 0; i < proof.Length; i++)
                {
                    var value = proof[i];
                    if (ExportEvidence.JsonColumns[i] == "precedingSequence" && value is not null)
                        json.WriteNumber(ExportEvidence.JsonColumns[i], long.Parse(value, CultureInfo.InvariantCulture));
                    else json.WriteString(ExportEvidence.JsonColumns[i], value);
                }
            }
            json.WriteEndObject();
            if (++count % BatchSize == 0) await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        if (evidence is not null)
        {
            json.WritePropertyName("evidence");
            evidence.Finish(AuditExport.Json, count, truncated).WriteTo(json);
            json.WriteEndObject();
        }
        await json.FlushAsync(ct);
        return new ExportOutcome(count, truncated);
    }
}

/// <summary>Rows written, and whether the row limit cut the export short.</summary>
public sealed record ExportOutcome(int Rows, bool Truncated);
