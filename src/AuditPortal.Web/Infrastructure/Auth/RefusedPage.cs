using System.Reflection;
using AuditPortal.Core.Common;
using Microsoft.AspNetCore.Components;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// Records a page a signed-in user was refused while navigating inside a circuit (the router's
/// "not authorized"), as <see cref="RefusedRequests"/> does for a refused request: one refused read on the user's
/// access log, coalesced per user, page and minute. The permission named is the first the page's policy asks for.
/// Its content (the "no access" message) shows once the refusal is on record, so what the user sees is on the record.
/// </summary>
public sealed class RefusedPage : ComponentBase
{
    [Inject] private IDocumentStore Store { get; set; } = default!;
    [Inject] private ICurrentActor Current { get; set; } = default!;
    [Inject] private IAuthorizationPolicyProvider PolicyProvider { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<RefusedPage> Logger { get; set; } = default!;

    [Parameter, EditorRequired] public Type PageType { get; set; } = default!;
    [Parameter] public RenderFragment? ChildContent { get; set; }

    private bool _recorded;

    protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
    {
        if (_recorded) builder.AddContent(0, ChildContent);
    }

    protected override async Task OnInitializedAsync()
    {
        Permission? missing = null;
        foreach (var authorize in PageType.GetCustomAttributes<AuthorizeAttribute>(inherit: true))
        {
            if (authorize.Policy is null || await PolicyProvider.GetPolicyAsync(authorize.Policy) is not { } policy) continue;
            missing = policy.Requirements.OfType<PermissionRequirement>().FirstOrDefault()?.AnyOf[0];
            if (missing is not null) break;
        }
        if (missing is not null)
        {
            var page = "/" + Navigation.ToBaseRelativePath(Navigation.Uri).Split('?', '#')[0];
            await ReadRefusals.RecordAsync(Store, await Current.GetActorAsync(), $"GET {page}", missing.Value, CancellationToken.None, Logger);
        }
        _recorded = true;
    }
}
