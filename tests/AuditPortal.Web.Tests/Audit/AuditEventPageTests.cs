namespace AuditPortal.Web.Tests.Audit;

public class AuditEventPageTests : AuditReadsTestContext
{
    [Fact]
    public void Given_an_event_permalink_When_opened_Then_the_event_its_metadata_and_the_state_as_of_it_show()
    {
        var cut = Render<AuditEventPage>(p => p.Add(x => x.Seq, "3"));

        cut.WaitForAssertion(() => Assert.Contains("Audit event 3", cut.Find("h1").TextContent));
        cut.WaitForAssertion(() => Assert.Contains(FakeAuditReads.Hostile, cut.Find(".audit-payload").TextContent));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".audit-diff tbody tr").Count));
        Assert.Equal((FakeAuditReads.WalletId, 3L), Reader.StateRequests.Single());
        Assert.Contains("cause-3", cut.Find(".audit-metadata").TextContent);
        Assert.Equal("credits_granted_v2, version 2", cut.Find(".audit-stored-type").TextContent.Trim());
        Assert.Equal($"/audit?streamId={FakeAuditReads.WalletId}", cut.Find("a#event-stream-link").GetAttribute("href"));
        Assert.Empty(cut.FindAll("script"));
    }

    [Fact]
    public void Given_an_event_stored_as_v1_When_opened_Then_its_stored_name_and_version_show_beside_the_stored_body()
    {
        var cut = Render<AuditEventPage>(p => p.Add(x => x.Seq, "2"));

        cut.WaitForAssertion(() => Assert.Equal("credits_granted, version 1", cut.Find(".audit-stored-type").TextContent.Trim()));
        Assert.Contains("Payload (as stored, v1)", cut.Markup);
    }

    [Theory]
    [InlineData("abc", "is not an event number")]
    [InlineData("-1", "is not an event number")]
    [InlineData("999", "Event 999 does not exist.")]
    public void Given_a_malformed_or_unknown_number_When_the_event_page_opens_Then_a_clear_not_found_message_shows(string seq, string message)
    {
        var cut = Render<AuditEventPage>(p => p.Add(x => x.Seq, seq));

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Find("#event-not-found").TextContent));
    }
}
