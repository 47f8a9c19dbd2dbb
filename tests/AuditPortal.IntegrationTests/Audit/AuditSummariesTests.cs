namespace AuditPortal.IntegrationTests.Audit;

public class AuditSummariesTests
{
    private const string W = "9113f00d-0000-7000-8000-000000000001";
    private const string J = "4242abcd-0000-7000-8000-000000000002";

    [Theory]
    [InlineData("wallet_opened", $$"""{"walletId":"{{W}}","owner":"dana","openedBy":"alice"}""", "alice opened wallet 9113f00d… for dana")]
    [InlineData("credits_granted", $$"""{"walletId":"{{W}}","amount":5,"type":"manual","grantedBy":"alice","reason":"goodwill"}""", "alice granted 5 credits to wallet 9113f00d… \u2014 goodwill")]
    [InlineData("credits_granted", $$"""{"walletId":"{{W}}","amount":1,"type":"refund","typeMetadata":{"jobId":"{{J}}"},"grantedBy":"sam","reason":"Job cancelled"}""", "sam granted 1 credit to wallet 9113f00d… (refund of job 4242abcd…) \u2014 Job cancelled")]
    [InlineData("credits_granted_v2", $$"""{"walletId":"{{W}}","amount":5,"type":"manual","grantedBy":"alice","reason":"goodwill","source":"Manual"}""", "alice granted 5 credits to wallet 9113f00d… \u2014 goodwill")]
    [InlineData("credits_granted_v2", $$"""{"walletId":"{{W}}","amount":5,"type":"manual","grantedBy":"alice","reason":"spring","source":"Campaign"}""", "alice granted 5 credits to wallet 9113f00d… from a campaign \u2014 spring")]
    [InlineData("credits_granted_v2", $$"""{"walletId":"{{W}}","amount":9,"type":"manual","grantedBy":"alice","reason":"big","source":"Approval"}""", "alice granted 9 credits to wallet 9113f00d… after approval \u2014 big")]
    [InlineData("credits_spent", $$"""{"walletId":"{{W}}","amount":2,"type":"jobLaunch","typeMetadata":{"jobId":"{{J}}"},"spentBy":"sam","reason":"Launch"}""", "sam spent 2 credits from wallet 9113f00d… (jobLaunch of job 4242abcd…) \u2014 Launch")]
    [InlineData("job_posted", $$"""{"jobId":"{{J}}","owner":"dana","title":"Logo","budget":3,"postedBy":"alice"}""", "alice posted job \u201cLogo\u201d for dana with a budget of 3 credits")]
    [InlineData("participant_invited", $$"""{"jobId":"{{J}}","participant":"erin","title":"Logo","invitedBy":"alice"}""", "alice invited erin to job \u201cLogo\u201d")]
    [InlineData("job_application_submitted", $$"""{"jobId":"{{J}}","participant":"erin","title":"Logo","appliedBy":"sam"}""", "sam submitted erin\u2019s application to job \u201cLogo\u201d")]
    [InlineData("participant_accepted", $$"""{"jobId":"{{J}}","participant":"erin","acceptedBy":"alice"}""", "alice accepted erin on job 4242abcd…")]
    [InlineData("job_launched", $$"""{"jobId":"{{J}}","ownerWalletId":"{{W}}","creditsSpent":3,"launchedBy":"alice"}""", "alice launched job 4242abcd…, spending 3 credits of wallet 9113f00d…")]
    [InlineData("job_completed", $$"""{"jobId":"{{J}}","completedBy":"alice"}""", "alice completed job 4242abcd…")]
    [InlineData("job_cancelled", $$"""{"jobId":"{{J}}","creditsRefunded":3,"cancelledBy":"alice","reason":"no longer needed"}""", "alice cancelled job 4242abcd…, refunding 3 credits \u2014 no longer needed")]
    [InlineData("access_control_list_created", """{"resource":"portal","createdBy":"system:bootstrap","reason":"Portal installed"}""", "system:bootstrap created the access-control list of portal \u2014 Portal installed")]
    [InlineData("permission_granted", """{"principal":"carol","permission":"ReadAudit","grantedBy":"dave","reason":"auditor"}""", "dave granted ReadAudit to carol \u2014 auditor")]
    [InlineData("permission_revoked", """{"principal":"carol","permission":"ReadAudit","revokedBy":"dave","reason":"left"}""", "dave revoked ReadAudit from carol \u2014 left")]
    [InlineData("audit_exported", """{"exportedBy":"carol","format":"csv","rowCount":1,"filterDescription":"actor=sam"}""", "carol exported 1 audit row as csv (actor=sam)")]
    [InlineData("something_new", """{"x":1}""", "Something new by bob")]
    [InlineData("credits_granted", """{"walletId":"x","amount":5,"grantedBy":"alice","reason":"two\nlines   here"}""", "alice granted 5 credits to wallet x \u2014 two lines here")]
    public void Given_every_event_type_When_summarised_Then_it_reads_as_one_plain_line(string type, string json, string expected)
    {
        using var doc = JsonDocument.Parse(json);

        Assert.Equal(expected, AuditSummaries.Summarize(type, doc.RootElement, "bob"));
    }
}
