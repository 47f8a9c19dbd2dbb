using System.Collections.Concurrent;
using Microsoft.JSInterop;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// A node that is stopped (SIGTERM, a deploy) hands its open pages over instead of dropping them. While Kestrel still
/// serves, each browser is asked to pause its circuit (circuit.js): .NET 10 then sends the circuit's root components and
/// persisted state (<see cref="Components.Shared.Drafts"/>: text typed but not sent) to the browser, protected with the
/// data-protection keys every node shares, and the browser resumes on whichever node the load balancer sends it to
/// (the health probe fails from the first moment, see <see cref="DrainingHealthCheck"/>). The stop waits until every
/// circuit has closed, or <see cref="Timeout"/>. A node killed outright saves nothing: the browser cannot resume, and the
/// reconnect dialog (App.razor) says that accepted commands are kept and unsent text is lost.
/// </summary>
public sealed class CircuitHandoff(IHostApplicationLifetime lifetime, ILogger<CircuitHandoff> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, IJSRuntime> _open = new();
    private readonly ConcurrentDictionary<string, byte> _asked = new();
    private readonly SemaphoreSlim _changed = new(0);
    private int _hooked;

    public bool Draining { get; private set; }
    public int OpenCircuits => _open.Count;

    internal void Opened(string circuitId, IJSRuntime js)
    {
        // SignalR closes every connection from its own ApplicationStopping callback, which would drop the pages
        // instead of pausing them. Callbacks run last-registered first: registered once a circuit exists (so after
        // SignalR's), this one runs before it and blocks the stop until the pages have left.
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            lifetime.ApplicationStopping.Register(() => HandOverAsync().GetAwaiter().GetResult());
        _open[circuitId] = js;
        _changed.Release();
    }

    internal void Closed(string circuitId)
    {
        _open.TryRemove(circuitId, out _);
        _asked.TryRemove(circuitId, out _);
        _changed.Release();
    }

    private async Task HandOverAsync()
    {
        Draining = true;
        var deadline = DateTimeOffset.UtcNow + Timeout;
        var total = _open.Count;
        while (!_open.IsEmpty && DateTimeOffset.UtcNow < deadline)
        {
            // A page that resumed here again (the balancer had not noticed yet) is asked again.
            foreach (var (id, js) in _open)
                if (_asked.TryAdd(id, 0)) _ = AskAsync(id, js);
            await _changed.WaitAsync(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        }
        if (total > 0)
            logger.LogInformation("Stopping: handed {Handed} of {Total} open pages over to the other nodes", total - _open.Count, total);
    }

    private async Task AskAsync(string id, IJSRuntime js)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await js.InvokeVoidAsync("auditPortal.handOff", timeout.Token);
        }
        catch (Exception e)
        {
            // A browser that is gone already, or a page without the script: its circuit ends with the node.
            logger.LogDebug(e, "Circuit {Circuit} could not be asked to pause", id);
        }
    }
}
