namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// A page's link to <see cref="ReadModelChanges"/>: runs the page's reload for relevant changes, on the page's
/// dispatcher, at most one at a time; changes arriving during a reload cause exactly one more reload. The
/// notifier is never blocked by a slow page. Every load of the page, live or its own (first load, new address or
/// parameters, reload after a command), goes through <see cref="LoadAsync{T}"/>, which owns "a reload never replaces
/// a newer one" (<see cref="NewestWins"/>). A load refused with <see cref="AccessDeniedException"/> (the user's
/// permission was revoked while the page was open) ends the subscription: the page stops receiving data.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    private readonly IDisposable _subscription;
    private readonly Func<ReadModelChange, bool> _relevant;
    private readonly Func<Task> _reload;
    private readonly Func<Func<Task>, Task> _invokeAsync;
    private readonly NewestWins _loads = new();
    private int _requested;
    private volatile bool _disposed;

    public LiveRefresh(ReadModelChanges changes, Func<ReadModelChange, bool> relevant, Func<Task> reload, Func<Func<Task>, Task> invokeAsync)
    {
        _relevant = relevant;
        _reload = reload;
        _invokeAsync = invokeAsync;
        _subscription = changes.Subscribe(OnChangeAsync);
    }

    private Task OnChangeAsync(ReadModelChange change)
    {
        if (_disposed || !_relevant(change)) return Task.CompletedTask;
        if (Interlocked.Increment(ref _requested) == 1) _ = RunAsync();
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        while (!_disposed)
        {
            var seen = Volatile.Read(ref _requested);
            try
            {
                await _invokeAsync(_reload);
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (AccessDeniedException)
            {
                Dispose();
                return;
            }
            catch (Exception)
            {
                // The page shows its own load errors; a failed refresh must not end the loop for later changes.
            }
            if (Interlocked.CompareExchange(ref _requested, 0, seen) == seen) return;
        }
    }

    /// <summary>True once the subscription has ended (disposed, or refused).</summary>
    public bool Stopped => _disposed;

    /// <summary>
    /// One load of the page (see <see cref="NewestWins.LoadAsync{T}"/>): <paramref name="apply"/> or
    /// <paramref name="failed"/> runs only if no load that started later has been applied. A refusal
    /// (<see cref="AccessDeniedException"/>) also ends live refresh before <paramref name="failed"/> shows it.
    /// </summary>
    public Task<bool> LoadAsync<T>(Func<CancellationToken, Task<T>> read, Action<T> apply, Action<Exception> failed, CancellationToken ct = default) =>
        _loads.LoadAsync(read, apply, e =>
        {
            if (e is AccessDeniedException) Dispose();
            failed(e);
        }, ct);

    public void Dispose()
    {
        _disposed = true;
        _subscription.Dispose();
    }
}
