using AuditPortal.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The signed-in user of this circuit as the actor of commands. The actor carries no correlation id: an operation is
/// one user action, not a browser tab, so each command starts its own (the command pipeline uses the command id,
/// <see cref="Actor.CorrelationFor"/>); flows that continue one (approval → change, export end) carry it themselves.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication) : ICurrentActor
{

    /// <summary>
    /// The signed-in user; with nobody signed in, an actor with an empty name that every command service refuses
    /// (never a fallback identity, never a "system:" name).
    /// </summary>
    public async Task<Actor> GetActorAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var name = state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } n } && !AccountNames.IsReserved(n) ? n : "";
        return new Actor(name);
    }
}
