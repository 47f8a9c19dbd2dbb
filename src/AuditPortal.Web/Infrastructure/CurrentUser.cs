using AuditPortal.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The signed-in user of this circuit as the actor of commands. Each circuit gets one correlation id, so all
/// commands issued from one browser tab can be followed together in the audit explorer.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication, IConfiguration configuration)
{
    private readonly string _correlationId = Guid.CreateVersion7().ToString();

    public async Task<Actor> GetActorAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var name = state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } n } ? n : null;
        // Until sign-in exists (issue 5) an anonymous circuit acts as the bootstrap admin.
        return new Actor(name ?? configuration["Portal:BootstrapAdmin"] ?? "admin", _correlationId);
    }
}
