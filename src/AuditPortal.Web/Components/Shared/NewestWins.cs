namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// "A reload never replaces a newer one", for every load of one page (or one component): its first load, a change of
/// its address or parameters, the reload after the user's command, and the live reloads of <see cref="LiveRefresh"/>.
/// Each load takes a ticket when it starts; its result (or its failure) is applied only if no load that started later
/// has been applied, and starting a load cancels the read of the one before it (every load of a page reads the page's
/// whole current state, so the newer one answers for both). Without this, a slow read that finishes last would put
/// older data on screen, and no later notification would correct it.
/// Pages reach it through <see cref="LiveRefresh.LoadAsync{T}"/>; a component without live refresh of its own (a
/// panel the page reloads) holds one directly.
/// </summary>
public sealed class NewestWins
{
    private readonly Lock _gate = new();
    private long _started;
    private long _applied;
    private CancellationTokenSource? _newest;

    /// <summary>
    /// Runs <paramref name="read"/>; then <paramref name="apply"/> with its result, or <paramref name="failed"/> with its
    /// exception, unless a load that started later has been applied meanwhile (then nothing happens). A read cancelled
    /// because a newer load started, or by <paramref name="ct"/>, is dropped too. Returns true when this load's outcome
    /// was applied. Called on the page's dispatcher (its own loads, and live reloads through InvokeAsync).
    /// </summary>
    public async Task<bool> LoadAsync<T>(Func<CancellationToken, Task<T>> read, Action<T> apply, Action<Exception> failed, CancellationToken ct = default)
    {
        long ticket;
        CancellationTokenSource mine;
        CancellationTokenSource? older;
        lock (_gate)
        {
            ticket = ++_started;
            older = _newest;
            _newest = mine = CancellationTokenSource.CreateLinkedTokenSource(ct);
        }
        try
        {
            older?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The older load finished meanwhile.
        }
        try
        {
            T result;
            try
            {
                result = await read(mine.Token);
            }
            catch (Exception e)
            {
                // A cancelled read (by a newer load, or by the caller) has nothing to show.
                if (!TryApply(ticket, mine) || (e is OperationCanceledException && mine.IsCancellationRequested)) return false;
                failed(e);
                return true;
            }
            if (!TryApply(ticket, mine)) return false;
            apply(result);
            return true;
        }
        finally
        {
            mine.Dispose();
        }
    }

    private bool TryApply(long ticket, CancellationTokenSource mine)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_newest, mine)) _newest = null;
            // Cancelled because a newer load started: that one shows what is current (or its own failure).
            var superseded = ticket < _started && mine.IsCancellationRequested;
            if (ticket < _applied || superseded) return false;
            _applied = ticket;
            return true;
        }
    }
}
