using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.JSInterop;

namespace AuditPortal.Web.Infrastructure;

/// <summary>Tells <see cref="CircuitHandoff"/> which circuits are open, with the JS runtime to reach each browser.</summary>
public sealed class CircuitHandoffHandler(CircuitHandoff handoff, IJSRuntime js) : CircuitHandler
{
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken ct)
    {
        handoff.Opened(circuit.Id, js);
        return Task.CompletedTask;
    }

    // A browser that lost its connection cannot be asked to pause: it reconnects, or resumes, on its own.
    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken ct)
    {
        handoff.Closed(circuit.Id);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken ct)
    {
        handoff.Closed(circuit.Id);
        return Task.CompletedTask;
    }
}
