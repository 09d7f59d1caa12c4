namespace MicoPortal.Server.Providers;

/// <summary>Why and by whom a provider was paused.</summary>
public sealed record PauseInfo(string Reason, string? By, DateTimeOffset At);

/// <summary>
/// The pause switch of one provider as the sending side sees it. A create is sent only inside
/// <see cref="TryBeginCreate"/> / <see cref="EndCreate"/>, so pausing can wait for the creates that passed
/// the switch a moment before: once <see cref="PauseAsync"/> returns, no create reaches the provider any
/// more (docs/api.md section 8: "no new attempt goes there"). Queries are not gated: they only read.
/// </summary>
public sealed class ProviderPause
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    private volatile PauseInfo? _current;
    private int _sending;

    public PauseInfo? Current => _current;

    public bool IsPaused => _current is not null;

    /// <summary>False when paused: the create must not be sent (its order goes back to be routed again).</summary>
    public bool TryBeginCreate()
    {
        // Count first, then look: PauseAsync sets the switch first, then counts (both full fences), so a create
        // either sees the pause or is seen by it.
        Interlocked.Increment(ref _sending);
        if (_current is null)
        {
            return true;
        }

        Interlocked.Decrement(ref _sending);
        return false;
    }

    /// <summary>The create that <see cref="TryBeginCreate"/> let through has its answer (or gave up).</summary>
    public void EndCreate() => Interlocked.Decrement(ref _sending);

    /// <summary>Takes the state stored in the database (another instance may have changed it).</summary>
    public void Set(PauseInfo? pause) => _current = pause;

    /// <summary>
    /// Pauses, then waits (at most <paramref name="wait"/>) until every create already past the switch has its
    /// answer. Returns how many were still out when the wait ended (0: nothing will reach the provider now).
    /// </summary>
    public async Task<int> PauseAsync(PauseInfo pause, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        _current = pause;
        Interlocked.MemoryBarrier();
        var until = time.GetUtcNow() + wait;
        while (Volatile.Read(ref _sending) > 0 && time.GetUtcNow() < until)
        {
            await Task.Delay(Poll, time, cancellationToken);
        }

        return Volatile.Read(ref _sending);
    }
}
