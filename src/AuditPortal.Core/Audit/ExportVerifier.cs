using AuditPortal.Core.Integrity;

namespace AuditPortal.Core.Audit;

/// <summary>One problem of an evidence export: the row it is at (1-based, in file order; null for the file as a whole), its CSV line and sequence.</summary>
public sealed record ExportProblem(int? Row, int? Line, long? Sequence, string Problem)
{
    public string Where => Row is null ? "the file" :
        (Line is { } line ? $"line {line}" : $"row {Row}") + (Sequence is { } seq ? $" (sequence {seq})" : "");

    public override string ToString() => $"{Where}: {Problem}";
}

public sealed record ExportVerification(string Format, int Rows, EvidenceManifest? Manifest, IReadOnlyList<ExportProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Checks an evidence export (<see cref="ExportEvidence"/>) with nothing but the file and the checkpoint public key:
/// each row against its seal and the event the database sealed, the export's chain row by row (removed, moved, edited
/// or foreign rows), every row against the filter and range the manifest states, and the manifest's and checkpoint's
/// signatures. Every problem names its row (CSV line or JSON row, and sequence).
/// </summary>
public static class ExportVerifier
{
    private sealed record Row(int Index, int? Line, Dictionary<string, string?> Cells, string?[] Ordered);

    public static ExportVerification VerifyFile(string path, ECDsa publicKey) => Verify(File.ReadAllText(path, new UTF8Encoding(false)), publicKey);

    /// <summary>Checks the text of an evidence export.</summary>
    public static ExportVerification Verify(string text, ECDsa publicKey)
    {
        var problems = new List<ExportProblem>();
        var isJson = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{');
        List<Row> rows;
        EvidenceManifest? manifest = null;
        try
        {
            rows = isJson ? ReadJson(text, problems, out manifest) : ReadCsv(text, problems, out manifest);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            problems.Add(new ExportProblem(null, null, null, $"not readable as an evidence export ({e.Message})"));
            return new ExportVerification(isJson ? AuditExport.Json : AuditExport.Csv, 0, null, problems);
        }
        var format = isJson ? AuditExport.Json : AuditExport.Csv;
        if (manifest is null)
        {
            problems.Add(new ExportProblem(null, null, null, "no evidence manifest: not an evidence export, or its last part was removed"));
            return new ExportVerification(format, rows.Count, null, problems);
        }

        try
        {
            CheckManifest(manifest, format, rows, publicKey, problems);
            CheckRows(manifest, format, rows, problems);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException or ArgumentException or KeyNotFoundException)
        {
            // A hand-made file can hold anything: say so rather than crash the verb.
            problems.Add(new ExportProblem(null, null, null, $"not readable as an evidence export ({e.Message})"));
        }
        return new ExportVerification(format, rows.Count, manifest, problems);
    }

    private static void CheckManifest(EvidenceManifest m, string format, List<Row> rows, ECDsa publicKey, List<ExportProblem> problems)
    {
        void File(string p) => problems.Add(new ExportProblem(null, null, null, p));
        if (m.Format != ExportEvidence.FormatName) File($"the manifest is of format \"{m.Format}\", not {ExportEvidence.FormatName}");
        if (!m.IsValid(publicKey)) File("the manifest's signature is not confirmed by the public key (manifest forged or edited, or another portal's key)");
        if (m.FileFormat != format) File($"the manifest was written for a {m.FileFormat} file, this one is {format}");
        if (m.Checkpoint is { } cp)
        {
            var checkpoint = cp.ToCheckpoint();
            if (checkpoint is null || !checkpoint.IsValid(publicKey))
                File($"the checkpoint (sequence {cp.Sequence}) has a signature the public key does not confirm (forged or edited)");
            if (cp.Sequence != m.NewestSequence)
                File($"the checkpoint covers sequence {cp.Sequence}, but the export's newest row is sequence {m.NewestSequence}");
            var newest = rows.FirstOrDefault(r => Long(r.Cells["sequence"]) == cp.Sequence);
            if (newest is not null && !string.Equals(newest.Cells["seal"], cp.Head, StringComparison.OrdinalIgnoreCase))
                problems.Add(At(newest, $"its seal {newest.Cells["seal"]} is not the head {cp.Head} the checkpoint signs"));
        }
        else if (m.Rows > 0) File("the manifest has no checkpoint although the export has rows");

        if (rows.Count != m.Rows)
            File($"the manifest says {m.Rows:N0} rows, the file has {rows.Count:N0}" + (rows.Count < m.Rows ? " (rows removed)" : " (rows added)"));
        var lastLink = rows.Count > 0 ? rows[^1].Cells["export_chain"] : Convert.ToHexStringLower(ExportEvidence.Seed(Guid.TryParse(m.ExportId, out var id) ? id : Guid.Empty));
        if (!string.Equals(lastLink, m.ExportChain, StringComparison.OrdinalIgnoreCase) && rows.Count == m.Rows)
            File("the export's chain does not end where the manifest says: rows were replaced and the chain recomputed, or the last row was edited");
        var present = rows.Select(r => Long(r.Cells["sequence"])).ToHashSet();
        if (m.OldestSequence is { } oldest && !present.Contains(oldest))
            File($"the export's oldest row, sequence {oldest}, is missing (removed)");
        if (m.NewestSequence is { } newestSeq && !present.Contains(newestSeq))
            File($"the export's newest row, sequence {newestSeq}, is missing (removed)");
    }

    private static void CheckRows(EvidenceManifest m, string format, List<Row> rows, List<ExportProblem> problems)
    {
        var csv = format == AuditExport.Csv;
        var link = ExportEvidence.Seed(Guid.TryParse(m.ExportId, out var id) ? id : Guid.Empty);
        var linkFromCells = link;
        var lines = new Dictionary<long, Row>();
        foreach (var r in rows)
            if (Long(r.Cells["sequence"]) is { } s) lines.TryAdd(s, r);
        long? above = null;
        foreach (var row in rows)
        {
            var before = problems.Count;
            var seq = Long(row.Cells["sequence"]);
            void Bad(string p) => problems.Add(At(row, p));
            if (seq is null) Bad($"the sequence cell \"{row.Cells["sequence"]}\" is not a number");

            // 1. The row against its seal, and its cells against the event the database sealed.
            var sealedEvent = row.Cells["sealed_event"];
            var seal = row.Cells["seal"];
            var previousSeal = row.Cells["previous_seal"];
            if (string.IsNullOrEmpty(sealedEvent) || string.IsNullOrEmpty(seal) || string.IsNullOrEmpty(previousSeal))
                Bad("it has no seal (the event was not sealed when it was exported)");
            else if (!SealHolds(previousSeal, sealedEvent, seal))
                Bad("its sealed event does not hash to its seal (the sealed event or the seal was edited)");
            else if (Sealed.Parse(sealedEvent) is not { } ev)
                Bad("its sealed event is not the array the database hashes");
            else
            {
                foreach (var mismatch in ev.Mismatches(row.Cells, csv)) Bad(mismatch);
                foreach (var outside in ev.OutsideFilter(m, row.Cells["stream_type"])) Bad(outside);
            }

            // 2. Range and order (newest first).
            if (seq is { } s)
            {
                if (m.NewestSequence is { } hi && s > hi || m.OldestSequence is { } lo && s < lo)
                    Bad($"its sequence lies outside the exported range {m.OldestSequence}–{m.NewestSequence} (a row from elsewhere)");
                if (s > m.SealedThrough) Bad($"its sequence is above {m.SealedThrough}, the newest seal when the export ran (a row from elsewhere)");
                if (above is { } a && s >= a) Bad($"it is out of order: sequence {a} is above it, exports are newest first (rows moved)");
            }

            // 3. The row the portal wrote just above it.
            var claimed = Long(row.Cells["preceding_sequence"]);
            if (claimed != above)
            {
                if (claimed is { } c)
                    Bad(lines.TryGetValue(c, out var moved) && moved != row
                        ? $"the portal wrote sequence {c} just above it, which is now at {moved.Where()} (rows moved)"
                        : $"the portal wrote sequence {c} just above it, which is missing (removed)");
                else Bad("the portal wrote it as the first row (rows added or moved above it)");
            }

            // 4. Its link in the export's chain: any edited cell, and a row from another export.
            // The link above is either the one stored there or the one its cells give: an edited row keeps its stored link
            // right, a foreign row the link its cells should have had, so the row after either is not blamed as well.
            var digest = ExportEvidence.Digest(row.Ordered);
            var fromStored = ExportEvidence.Link(link, digest);
            var fromCells = ExportEvidence.Link(linkFromCells, digest);
            var stored = TryHex(row.Cells["export_chain"]);
            if (stored is null || !fromStored.AsSpan().SequenceEqual(stored) && !fromCells.AsSpan().SequenceEqual(stored))
            {
                if (problems.Count == before)
                    Bad("its cells are not the ones the portal wrote here (a cell edited, or the row taken from another export)");
            }
            link = stored ?? fromStored;
            linkFromCells = fromStored;
            above = seq;
        }
    }

    private static ExportProblem At(Row row, string problem) => new(row.Index, row.Line, Long(row.Cells["sequence"]), problem);

    private static string Where(this Row row) => row.Line is { } l ? $"line {l}" : $"row {row.Index}";

    private static bool SealHolds(string previousSeal, string sealedEvent, string seal)
    {
        var previous = TryHex(previousSeal);
        var expected = TryHex(seal);
        if (previous is not { Length: 32 } || expected is not { Length: 32 }) return false;
        return EventSeals.Chain(previous, SHA256.HashData(Encoding.UTF8.GetBytes(sealedEvent))).AsSpan().SequenceEqual(expected);
    }

    private static byte[]? TryHex(string? hex)
    {
        if (string.IsNullOrEmpty(hex)) return null;
        try { return Convert.FromHexString(hex); } catch (FormatException) { return null; }
    }

    private static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static readonly string[] Columns = [.. AuditExport.Header, .. ExportEvidence.CsvColumns];

    // ---- reading the two formats into cells keyed by CSV column name (the order the chain covers) ----

    private static List<Row> ReadCsv(string text, List<ExportProblem> problems, out EvidenceManifest? manifest)
    {
        manifest = null;
        var records = CsvRecords(text).ToList();
        if (records.Count == 0) throw new FormatException("the file is empty");
        var header = records[0].Cells;
        if (!header.SequenceEqual(Columns))
            throw new FormatException($"the header is not the evidence export's ({string.Join(",", Columns)})");
        var rows = new List<Row>();
        var summary = Array.IndexOf(Columns, "summary");
        foreach (var (line, cells) in records.Skip(1))
        {
            if (cells.Count > 0 && cells[0] == ExportEvidence.CsvMarker && cells.Count > summary)
            {
                if (manifest is not null) problems.Add(new ExportProblem(null, line, null, "a second evidence manifest"));
                manifest ??= EvidenceManifest.Parse(cells[summary]);
                continue;
            }
            if (cells.Count > 0 && cells[0] == "truncated") continue;
            if (cells.Count != Columns.Length)
            {
                problems.Add(new ExportProblem(rows.Count + 1, line, null, $"it has {cells.Count} cells, the export has {Columns.Length} columns"));
                continue;
            }
            var map = new Dictionary<string, string?>();
            for (var i = 0; i < Columns.Length; i++) map[Columns[i]] = cells[i];
            rows.Add(new Row(rows.Count + 1, line, map, [.. cells.Take(Columns.Length - 1)]));
        }
        return rows;
    }

    /// <summary>RFC 4180 records with the line each starts on.</summary>
    private static IEnumerable<(int Line, List<string> Cells)> CsvRecords(string text)
    {
        var i = 0;
        var line = 1;
        if (text.StartsWith('\uFEFF')) i = 1;
        while (i < text.Length)
        {
            var start = line;
            var cells = new List<string>();
            var cell = new StringBuilder();
            var quoted = false;
            var endOfRecord = false;
            while (i < text.Length && !endOfRecord)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i += 2; continue; }
                    if (c == '"') { quoted = false; i++; continue; }
                    if (c == '\n') line++;
                    cell.Append(c);
                    i++;
                    continue;
                }
                switch (c)
                {
                    case '"': quoted = true; i++; break;
                    case ',': cells.Add(cell.ToString()); cell.Clear(); i++; break;
                    case '\r' when i + 1 < text.Length && text[i + 1] == '\n': i += 2; line++; endOfRecord = true; break;
                    case '\n': i++; line++; endOfRecord = true; break;
                    default: cell.Append(c); i++; break;
                }
            }
            cells.Add(cell.ToString());
            if (cells is [""]) continue;
            yield return (start, cells);
        }
    }

    private static List<Row> ReadJson(string text, List<ExportProblem> problems, out EvidenceManifest? manifest)
    {
        manifest = null;
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("rows", out var array) || array.ValueKind != JsonValueKind.Array)
            throw new FormatException("expected an object with \"rows\" and \"evidence\"");
        if (root.TryGetProperty("evidence", out var evidence) && evidence.ValueKind == JsonValueKind.Object)
            manifest = EvidenceManifest.Parse(evidence);
        var names = AuditExport.JsonNames.Concat(ExportEvidence.JsonColumns).ToArray();
        var rows = new List<Row>();
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("truncated", out _)) continue;
            var index = rows.Count + 1;
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new ExportProblem(index, null, null, "it is not an object"));
                continue;
            }
            var map = new Dictionary<string, string?>();
            var ordered = new string?[names.Length - 1];
            for (var i = 0; i < names.Length; i++)
            {
                string? value = null;
                if (element.TryGetProperty(names[i], out var v))
                    value = v.ValueKind switch
                    {
                        JsonValueKind.String => v.GetString(),
                        JsonValueKind.Null => null,
                        _ => v.GetRawText(),
                    };
                map[Columns[i]] = value;
                if (i < ordered.Length) ordered[i] = value;
            }
            var row = new Row(index, null, map, ordered);
            foreach (var p in element.EnumerateObject().Where(p => !names.Contains(p.Name)))
                problems.Add(At(row, $"it has a field \"{p.Name}\" the portal does not write (added)"));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The event as the database hashed it (<see cref="EventSeals.CanonicalSql"/>; version 1 has the first ten values).</summary>
    private sealed record Sealed(long Sequence, string StreamId, long Version, string Type, string Data, string Time, DateTimeOffset Instant, string? User,
        string? Correlation, string? Causation)
    {
        public static Sealed? Parse(string text)
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                var a = doc.RootElement;
                if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() < 10) return null;
                static string? S(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
                // Whoever recomputed a seal can put anything here: an unreadable value is "not the array", never a crash.
                if (!DateTimeOffset.TryParseExact(S(a[6]), "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant) || S(a[2]) is null || S(a[4]) is null)
                    return null;
                return new Sealed(a[0].GetInt64(), S(a[2])!, a[3].GetInt64(), S(a[4])!, S(a[5]) ?? "null", S(a[6])!, instant, S(a[7]), S(a[8]), S(a[9]));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
        }

        /// <summary>Cells that say something else than the sealed event (CSV cells as written: formula guard applied).</summary>
        public IEnumerable<string> Mismatches(Dictionary<string, string?> cells, bool csv)
        {
            string? W(string? v) => csv ? AuditExport.Protect(v ?? "") : v;
            IEnumerable<(string Column, string? Expected)> Expected() =>
            [
                ("sequence", Sequence.ToString(CultureInfo.InvariantCulture)), ("actor", W(User ?? "")), ("stream_id", StreamId),
                ("version", Version.ToString(CultureInfo.InvariantCulture)), ("event_type", W(AuditTypeNames.Logical(Type))),
                ("correlation_id", W(Correlation)), ("causation_id", W(Causation)),
            ];
            foreach (var (column, expected) in Expected())
            {
                if (!string.Equals(cells[column], expected, StringComparison.Ordinal))
                    yield return $"its {column} cell says {Show(cells[column])}, the sealed event says {Show(expected)} (edited)";
            }
            if (!TimeMatches(cells["time"]))
                yield return $"its time cell says {Show(cells["time"])}, the sealed event says {Time}Z (edited)";
        }

        /// <summary>The cell's instant, at the precision it shows, with its offset required.</summary>
        private bool TimeMatches(string? cell)
        {
            if (cell is null || !(cell.EndsWith('Z') || cell.Length > 6 && cell[^6] is '+' or '-' && cell[^3] == ':')) return false;
            if (!DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.None, out var shown)) return false;
            var dot = cell.IndexOf('.', StringComparison.Ordinal);
            var digits = dot < 0 ? 0 : cell[(dot + 1)..].TakeWhile(char.IsAsciiDigit).Count();
            var unit = TimeSpan.TicksPerSecond / (long)Math.Pow(10, Math.Min(digits, 7));
            var sealedTicks = Instant.UtcTicks;
            return shown.UtcTicks == sealedTicks - sealedTicks % unit;
        }

        /// <summary>Filter conditions the row does not meet (it could not have been in this export).</summary>
        public IEnumerable<string> OutsideFilter(EvidenceManifest m, string? streamType)
        {
            var f = m.Filter;
            if (f is null) yield break;
            if (f.Actor is { } actor && User != actor) yield return $"its actor is not {Show(actor)}, the export's filter (a row from elsewhere)";
            if (f.EventType is { } type && AuditTypeNames.Logical(Type) != type) yield return $"its event type is not {Show(type)}, the export's filter (a row from elsewhere)";
            if (f.StreamType is { } st && streamType != st) yield return $"its stream type is not {Show(st)}, the export's filter (a row from elsewhere)";
            if (f.StreamId is { } sid && !string.Equals(StreamId, sid, StringComparison.OrdinalIgnoreCase)) yield return $"its stream is not {sid}, the export's filter (a row from elsewhere)";
            if (f.Correlation is { } corr && Correlation != corr) yield return $"its correlation is not {Show(corr)}, the export's filter (a row from elsewhere)";
            if (f.From is { } from && DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.None, out var fromAt) && Instant < fromAt)
                yield return $"its time is before {from}, the export's filter (a row from elsewhere)";
            if (f.To is { } to && DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.None, out var toAt) && Instant >= toAt)
                yield return $"its time is not before {to}, the export's filter (a row from elsewhere)";
            if (f.Text is { } text && !Data.Contains(text, StringComparison.OrdinalIgnoreCase) && !(User ?? "").Contains(text, StringComparison.OrdinalIgnoreCase))
                yield return $"neither its payload nor its actor contains {Show(text)}, the export's filter (a row from elsewhere)";
            if (m.TextScannedAbove is { } low && Sequence <= low) yield return $"its sequence is at or below {low}, where the export's text search stopped (a row from elsewhere)";
        }

        private static string Show(string? v) => v is null ? "nothing" : "\"" + (v.Length > 80 ? v[..80] + "…" : v) + "\"";
    }
}
