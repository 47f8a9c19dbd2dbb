namespace AuditPortal.IntegrationTests.Audit;

public class AuditCsvTests
{
    // Every CSV cell the portal writes goes through CsvCell; the rows are grouped by the rule they check.
    [Theory]
    // A formula start is neutralised with an apostrophe (a spreadsheet would run it).
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("  =1", "'  =1")]
    [InlineData("=HYPERLINK(\"a\",\"b\")", "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"")]
    // ... also behind unicode space or written as a full-width sign.
    [InlineData("\u00A0=1+2", "'\u00A0=1+2")]         // no-break space
    [InlineData("\u3000+cmd", "'\u3000+cmd")]         // ideographic space
    [InlineData("\u2002\u2003-2", "'\u2002\u2003-2")] // en and em space
    [InlineData("\u200B@SUM(A1)", "'\u200B@SUM(A1)")] // zero-width space
    [InlineData(" \t =1", "' \t =1")]                 // a tab behind a space
    [InlineData("\uFF1D1+2", "'\uFF1D1+2")]           // full-width =
    [InlineData("\uFF0Bcmd", "'\uFF0Bcmd")]           // full-width +
    [InlineData("\uFF0D2", "'\uFF0D2")]               // full-width -
    [InlineData("\uFF20SUM(A1)", "'\uFF20SUM(A1)")]   // full-width @
    [InlineData("\u00A0\uFF1D1", "'\u00A0\uFF1D1")]   // full-width behind a no-break space
    [InlineData("\n=1", "\"'\n=1\"")]                 // a line feed first
    [InlineData(" \r=1", "\"' \r=1\"")]               // a carriage return behind a space
    // No formula start: the value is kept.
    [InlineData("a-b", "a-b")]
    [InlineData("x\uFF1D", "x\uFF1D")]
    [InlineData("\u00A0plain", "\"\u00A0plain\"")]
    // Quotes, commas and line breaks are quoted as RFC 4180 says; markup is no concern of a CSV file.
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("", "")]
    public void Given_a_cell_When_written_to_csv_Then_a_formula_start_gets_an_apostrophe_and_quotes_commas_or_line_breaks_are_quoted(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));

    [Fact]
    public async Task Given_more_rows_than_the_limit_When_exported_Then_the_last_line_and_element_say_so()
    {
        var rows = Enumerable.Range(1, 3).Select(i => new AuditEntry(i, "wallet", Guid.Empty, i, "credits_granted", "sam", DateTimeOffset.UnixEpoch, null, null, "s"));
        using var csv = new MemoryStream();
        var csvOutcome = await AuditExport.WriteCsvAsync(rows.ToAsyncEnumerable(), csv, 2);
        using var json = new MemoryStream();
        var jsonOutcome = await AuditExport.WriteJsonAsync(rows.ToAsyncEnumerable(), json, 2);

        Assert.Equal(new ExportOutcome(2, true), csvOutcome);
        Assert.Equal(new ExportOutcome(2, true), jsonOutcome);
        var lines = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("truncated,", lines[^1], StringComparison.Ordinal);
        // The message sits in the summary column, as many cells as the header has.
        Assert.Equal(8, Array.IndexOf(lines[0].Split(','), "summary"));
        Assert.StartsWith("truncated,,,,,,,,\"Export cut", lines[^1], StringComparison.Ordinal);
        Assert.EndsWith("\",,", lines[^1], StringComparison.Ordinal);
        Assert.Contains("limit of 2 rows", lines[^1], StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.Equal(3, doc.RootElement.GetArrayLength());
        Assert.True(doc.RootElement[2].GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Given_exactly_the_limit_When_exported_Then_nothing_says_truncated()
    {
        var rows = Enumerable.Range(1, 2).Select(i => new AuditEntry(i, "wallet", Guid.Empty, i, "credits_granted", "sam", DateTimeOffset.UnixEpoch, null, null, "s"));
        using var csv = new MemoryStream();

        Assert.Equal(new ExportOutcome(2, false), await AuditExport.WriteCsvAsync(rows.ToAsyncEnumerable(), csv, 2));
        Assert.DoesNotContain("truncated", System.Text.Encoding.UTF8.GetString(csv.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_actors_with_display_names_When_exported_Then_a_name_column_beside_the_actor_is_filled_per_batch_escaped_and_empty_when_unknown()
    {
        // Three batches of rows (500, 500, 1): one lookup each, never one per row.
        var rows = Enumerable.Range(1, 2 * AuditExport.BatchSize + 1)
            .Select(i => new AuditEntry(i, "wallet", Guid.Empty, i, "credits_granted", i % 2 == 0 ? "ada@idp.example" : "sam", DateTimeOffset.UnixEpoch, null, null, "s")).ToList();
        var lookups = 0;
        AuditExport.DisplayNameLookup names = (actors, _) =>
        {
            lookups++;
            Assert.Subset(new HashSet<string> { "ada@idp.example", "sam" }, actors.ToHashSet());
            Assert.Equal(actors.Distinct().Count(), actors.Count());
            // A display name comes from the identity provider: as hostile as any other text.
            return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["ada@idp.example"] = "=Ada, Lovelace" });
        };
        using var csv = new MemoryStream();
        using var json = new MemoryStream();

        Assert.Equal(rows.Count, await AuditExport.WriteCsvAsync(rows.ToAsyncEnumerable(), csv, names));
        Assert.Equal(3, lookups);
        Assert.Equal(rows.Count, await AuditExport.WriteJsonAsync(rows.ToAsyncEnumerable(), json, names));
        Assert.Equal(6, lookups);

        var lines = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,time,actor,actor_name,stream_type,", lines[0], StringComparison.Ordinal);
        Assert.Contains(",ada@idp.example,\"'=Ada, Lovelace\",wallet,", lines[2], StringComparison.Ordinal);
        Assert.Contains(",sam,,wallet,", lines[1], StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.Equal("=Ada, Lovelace", doc.RootElement[1].GetProperty("actorName").GetString());
        Assert.Equal("", doc.RootElement[0].GetProperty("actorName").GetString());
    }
}
