using Microsoft.EntityFrameworkCore.Infrastructure;

namespace MicoPortal.Server.Data;

/// <summary>
/// SQLite lets one writer in at a time. A writer that finds its lock taken waits in SQLite's busy handler, which
/// sleeps the calling thread in steps of up to 100 ms and tries again: at 500 orders a second the hot writers
/// (intake, dispatch and verify claims, provider answers, callbacks) waited 50 to 430 ms for a lock that had
/// mostly come free while they slept, each holding a thread-pool thread, and an order's create waited behind them
/// (BENCHMARKS.md, dispatch delay). This process's recurring writers on SQLite queue here instead, asynchronously
/// and in arrival order, and each takes the lock the moment the one before it commits: intake, a shop key's last
/// use, the sweeps' claims and releases, provider answers and callbacks, the stuck sweep, the audit sealer, the SMS
/// and webhook senders.
/// <para>
/// Server databases lock rows, not the database: there the gate lets every writer through. Writers in another
/// process, and this process's occasional writers that do not queue here (operator actions, reconciliation,
/// rollups, incidents), still meet SQLite's busy timeout: the writer at the head of the queue may wait for them
/// there, and under a queue that never empties they find the lock free only between two turns.
/// A gated section covers one statement or transaction and nothing that waits for another turn: the gate is not
/// re-entrant.
/// </para>
/// </summary>
/// <remarks>Not disposable on purpose: a late writer during shutdown must still be able to end its turn.</remarks>
public sealed class WriteGate
{
    private readonly SemaphoreSlim _sqlite = new(1, 1);

    /// <summary>Waits for this process's turn to write to <paramref name="database"/>; dispose the result once its transaction has ended.</summary>
    public Task<Turn> EnterAsync(DatabaseFacade database, CancellationToken cancellationToken) =>
        EnterAsync(database.PortalProvider(), cancellationToken);

    /// <inheritdoc cref="EnterAsync(DatabaseFacade, CancellationToken)"/>
    public async Task<Turn> EnterAsync(DatabaseProvider provider, CancellationToken cancellationToken)
    {
        if (provider != DatabaseProvider.Sqlite)
        {
            return Turn.None;
        }

        await _sqlite.WaitAsync(cancellationToken);
        return new Turn(_sqlite);
    }

    /// <summary>Runs one write (a statement, or a transaction it opens and ends) in this process's turn.</summary>
    public async Task<T> WriteAsync<T>(DatabaseFacade database, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        using var turn = await EnterAsync(database, cancellationToken);
        return await write();
    }

    /// <summary>A writer's turn; disposing it (once, however often it is called) lets the next one in.</summary>
    public sealed class Turn : IDisposable
    {
        public static readonly Turn None = new(null);

        private SemaphoreSlim? _held;

        internal Turn(SemaphoreSlim? held) => _held = held;

        public void Dispose() => Interlocked.Exchange(ref _held, null)?.Release();
    }
}
