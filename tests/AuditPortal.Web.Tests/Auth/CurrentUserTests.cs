using Microsoft.AspNetCore.Components.Authorization;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>An operation is one user action, not a browser tab: the tab's actor brings no correlation of its own.</summary>
public class CurrentUserTests
{
    private sealed class SignedIn(string name) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"))));
    }

    [Fact]
    public async Task Given_one_browser_tab_When_it_issues_two_commands_Then_each_command_id_is_an_operation_of_its_own()
    {
        var tab = new CurrentUser(new SignedIn("alice"));
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var actor = await tab.GetActorAsync();

        Assert.Equal(("alice", ""), (actor.UserName, actor.CorrelationId));
        Assert.Equal((first.ToString(), second.ToString()), (actor.CorrelationFor(first), (await tab.GetActorAsync()).CorrelationFor(second)));
        // An actor that continues an operation (an export's HTTP request) keeps it for every command.
        Assert.Equal("request-1", (actor with { CorrelationId = "request-1" }).CorrelationFor(first));
    }
}
