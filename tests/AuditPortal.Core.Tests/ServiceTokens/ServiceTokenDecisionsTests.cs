using AuditPortal.Core.ServiceTokens;

namespace AuditPortal.Core.Tests.ServiceTokens;

public class ServiceTokenDecisionsTests
{
    private static readonly Guid TokenId = Guid.Parse("0193a8f1-9113-7000-8000-0000000000d1");

    private static IssueServiceToken Issue(string name = "siem-splunk", Permission[]? permissions = null, TimeSpan? life = null, string reason = "SOC ingestion") =>
        new(TokenId, name, permissions ?? [Permission.ExportAudit], Now + (life ?? TimeSpan.FromDays(90)), "hash", "admin", Now, reason);

    private static ServiceToken Issued() => ServiceToken.Create(ServiceTokenDecisions.Handle(null, Issue()));

    [Fact]
    public void Given_no_token_When_issuing_Then_the_event_names_the_service_principal_its_permissions_expiry_who_and_why_and_only_the_hash()
    {
        var e = ServiceTokenDecisions.Handle(null, Issue(name: " siem-splunk "));

        Assert.Equal("service:siem-splunk", e.Principal);
        Assert.Equal([Permission.ExportAudit], e.Permissions);
        Assert.Equal((Now + TimeSpan.FromDays(90), "admin", Now, "SOC ingestion", "hash"), (e.ExpiresAt, e.IssuedBy, e.IssuedAt, e.Reason, e.SecretHash));
    }

    [Theory]
    [InlineData("Siem")]
    [InlineData("x")]
    [InlineData("siem splunk")]
    [InlineData("-siem")]
    public void Given_no_token_When_the_service_name_is_not_a_simple_lower_case_name_Then_it_is_refused(string name) =>
        ThenInvalid(() => ServiceTokenDecisions.Handle(null, Issue(name: name)), "service name");

    [Fact]
    public void Given_no_token_When_issuing_with_a_permission_that_changes_data_or_none_Then_it_is_refused()
    {
        var error = ThenInvalid(() => ServiceTokenDecisions.Handle(null, Issue(permissions: [Permission.ExportAudit, Permission.GrantCredits])), "permissions");
        Assert.Contains("GrantCredits", error.Message, StringComparison.Ordinal);
        ThenInvalid(() => ServiceTokenDecisions.Handle(null, Issue(permissions: [])), "permissions");
    }

    [Fact]
    public void Given_no_token_When_the_expiry_is_past_or_beyond_a_year_Then_it_is_refused()
    {
        ThenInvalid(() => ServiceTokenDecisions.Handle(null, Issue(life: TimeSpan.Zero)), "expiry");
        ThenInvalid(() => ServiceTokenDecisions.Handle(null, Issue(life: TimeSpan.FromDays(367))), "expiry");
    }

    [Fact]
    public void Given_an_issued_token_When_revoking_twice_Then_the_first_is_recorded_and_the_second_refused()
    {
        var revoked = ServiceTokenDecisions.Handle(Issued(), new RevokeServiceToken(TokenId, "dave", Now.AddHours(1), "rotated"));
        Assert.Equal(new ServiceTokenRevoked(TokenId, "service:siem-splunk", "dave", Now.AddHours(1), "rotated"), revoked);

        var state = Issued().Apply(revoked);
        Assert.False(state.IsActive(Now.AddHours(2)));
        ThenRejected(() => ServiceTokenDecisions.Handle(state, new RevokeServiceToken(TokenId, "dave", Now.AddHours(2), "again")), ErrorCodes.Validation);
        ThenRejected(() => ServiceTokenDecisions.Handle(null, new RevokeServiceToken(TokenId, "dave", Now, "none")), ErrorCodes.NotFound);
    }

    [Fact]
    public void Given_a_formatted_token_When_parsed_and_matched_Then_its_id_is_read_and_only_the_same_token_matches()
    {
        var token = ServiceToken.Format(TokenId, new byte[32]);
        var issued = ServiceToken.Create(ServiceTokenDecisions.Handle(null, Issue() with { SecretHash = ServiceToken.Hash(token) }));

        Assert.True(ServiceToken.TryParse(token, out var id));
        Assert.Equal(TokenId, id);
        Assert.True(issued.Matches(token));
        Assert.False(issued.Matches(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
        Assert.False(ServiceToken.TryParse("Bearer nonsense", out _));
        Assert.True(issued.IsActive(Now.AddDays(89)));
        Assert.False(issued.IsActive(Now.AddDays(90)));
    }
}
