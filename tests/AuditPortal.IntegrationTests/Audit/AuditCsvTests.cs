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
    public void Formula_starts_are_neutralised_with_an_apostrophe(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("", "")]
    public void Cells_are_quoted_as_rfc_4180_says(string value, string expected) =>
        Assert.Equal(expected, AuditExport.CsvCell(value));
}
