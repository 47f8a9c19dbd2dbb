using AuditPortal.Core.Common;
using AuditPortal.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The signed-in user of this circuit as the actor of commands. Each circuit gets one correlation id, so all
/// commands issued from one browser tab can be followed together in the audit explorer.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication) : ICurrentActor
{
    private readonly string _correlationId = Guid.CreateVersion7().ToString();

    /// <summary>
    /// The signed-in user; with nobody signed in, an actor with an empty name that every command service refuses
    /// (never a fallback identity, never a "system:" name).
    /// </summary>
    public async Task<Actor> GetActorAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var name = state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } n } && !AccountNames.IsReserved(n) ? n : "";
        return new Actor(name, _correlationId);
    }
}
