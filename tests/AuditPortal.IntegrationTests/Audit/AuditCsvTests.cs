using AuditPortal.Core.Audit;

namespace AuditPortal.IntegrationTests.Audit;

public class AuditCsvTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("  =1", "'  =1")]
    [InlineData("=HYPERLINK(\"a\",\"b\")", "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"")]
    public void Given_a_cell_starting_a_formula_When_written_to_csv_Then_it_is_neutralised_with_an_apostrophe(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));

    [Theory]
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
    public void Given_a_formula_start_behind_unicode_space_or_a_full_width_sign_When_written_to_csv_Then_it_is_neutralised(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));

    [Theory]
    [InlineData("a-b", "a-b")]
    [InlineData("x\uFF1D", "x\uFF1D")]
    [InlineData("\u00A0plain", "\"\u00A0plain\"")]
    public void Given_no_formula_start_When_written_Then_the_value_is_kept(string value, string expected) =>
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

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("", "")]
    public void Given_cells_with_quotes_commas_or_line_breaks_When_written_to_csv_Then_they_are_quoted_as_rfc_4180_says(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));
}
