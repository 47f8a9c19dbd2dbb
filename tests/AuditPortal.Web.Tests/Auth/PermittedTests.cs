using AuditPortal.Web.Infrastructure.Auth;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>Permitted: the one way a page shows what needs a permission, decided per user and on a recheck, not on every render.</summary>
public class PermittedTests : BunitContext
{
    private readonly BunitAuthorizationContext _auth;

    public PermittedTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        _auth = AddAuthorization();
        _auth.SetAuthorized("alice");
    }

    private IRenderedComponent<Permitted> RenderGate(int recheck = 0) =>
        Render<Permitted>(p => p.Add(x => x.Policy, Policies.GrantCredits).Add(x => x.Recheck, recheck)
            .AddChildContent("<input id='typed' value='42' />"));

    [Fact]
    public void Given_a_user_without_the_permission_When_rendered_Then_the_content_is_absent()
    {
        var cut = RenderGate();
        Assert.Empty(cut.FindAll("#typed"));
    }

    [Fact]
    public void Given_a_user_with_the_permission_When_the_page_renders_again_Then_the_content_stays_until_a_recheck_after_a_revocation_removes_it()
    {
        _auth.SetPolicies(Policies.GrantCredits);
        var cut = RenderGate();
        Assert.Single(cut.FindAll("#typed"));

        // A re-render with the same user and no recheck keeps the content without asking the policy again.
        cut.Render(p => p.Add(x => x.Recheck, 0));
        Assert.Single(cut.FindAll("#typed"));

        // The permission is revoked: nothing changes until the page asks again, then the content goes.
        _auth.SetPolicies();
        cut.Render(p => p.Add(x => x.Recheck, 0));
        Assert.Single(cut.FindAll("#typed"));
        cut.Render(p => p.Add(x => x.Recheck, 1));
        Assert.Empty(cut.FindAll("#typed"));
    }
}
