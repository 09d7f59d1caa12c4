using System.Threading.Channels;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Applies verified callbacks in batches: whatever has arrived while the previous batch was being saved
/// goes through <see cref="OrderTransitions"/> together, with one query for the seen event ids, one for the
/// orders and one transaction for all of it, instead of three round trips and a transaction per callback.
/// Each caller still waits for its own callback to be saved before it answers, so a <c>204</c> still means
/// applied (or known), and an event id is stored in the same transaction as its effect.
/// </summary>
public sealed class CallbackBatcher(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderTransitions transitions,
    SweepSignals sweeps,
    TimeProvider time,
    ILogger<CallbackBatcher> logger) : BackgroundService
{
    /// <summary>Callbacks per transaction at most: a batch holds the write lock for milliseconds.</summary>
    public const int MaxBatch = 200;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>A callback waiting for its batch; <c>Cause</c> is its span, parent of the status change it causes.</summary>
    private sealed record Pending(ProviderCallback Callback, string Provider, TaskCompletionSource Done, System.Diagnostics.ActivityContext Cause)
    {
        /// <summary>Event ids are the provider's own: two providers may use the same one, so they are kept apart by name.</summary>
        public string SeenKey => Provider == ProviderCatalog.DefaultProvider ? Callback.EventId : $"{Provider}:{Callback.EventId}";
    }

    /// <summary>Queues a callback from <paramref name="provider"/> and completes once it is saved; throws what saving threw (the caller answers 500 and the provider retries).</summary>
    public async Task ApplyAsync(ProviderCallback callback, string provider, CancellationToken cancellationToken)
    {
        var pending = new Pending(callback, provider, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), PortalTelemetry.CurrentContext);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The portal is stopping; the callback was not applied.");
        }

        await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping takes no new callbacks (their callers answer 500 and the provider retries); what is queued is still saved.
        await using var stopping = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await ApplyBatchAsync(batch);
        }
    }

    private async Task ApplyBatchAsync(List<Pending> batch)
    {
        try
        {
            await SaveAsync(batch);
            batch.ForEach(p => p.Done.TrySetResult());
            sweeps.Verify.Set(); // a callback that disagrees with what we know is checked now
        }
        catch (DbUpdateException ex) when (batch.Count > 1)
        {
            // Most likely an event id another instance stored a moment ago: apply one by one, so only that one is affected.
            logger.LogInformation(ex, "A batch of {Count} callbacks could not be saved together; applying them one by one", batch.Count);
            foreach (var pending in batch)
            {
                await ApplyBatchAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            if (ex is DbUpdateException && await IsSeenAsync(batch[0].SeenKey))
            {
                batch[0].Done.TrySetResult(); // the same event arrived twice at once and the other copy was applied
                return;
            }

            batch.ForEach(p => p.Done.TrySetException(ex));
        }
    }

    private async Task SaveAsync(List<Pending> batch)
    {
        using var activity = PortalTelemetry.StartBatch(PortalTelemetry.Spans.CallbacksWrite, batch.Count);
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var eventIds = batch.Select(p => p.SeenKey).Distinct().ToList();
        var seen = (await db.ProcessedCallbacks.AsNoTracking().Where(c => eventIds.Contains(c.EventId)).Select(c => c.EventId).ToListAsync())
            .ToHashSet(StringComparer.Ordinal);
        var fresh = new List<Pending>();
        foreach (var pending in batch)
        {
            // Known events, and a second copy of one in this very batch, change nothing.
            if (seen.Add(pending.SeenKey))
            {
                fresh.Add(pending);
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        var events = new List<PendingEvent>(fresh.Count);
        foreach (var (callback, provider, _, cause) in fresh)
        {
            if (Order.TryParseClientRef(callback.Order.ClientRef, out var orderId, out _))
            {
                events.Add(new PendingEvent(orderId, HeldLease: null, order =>
                    new OrderWork(order, new CallbackReceived(callback.Order, provider), AttemptKind.Callback, new CallInfo(null, 0), callback.Order.Status, Provider: provider, Cause: cause)));
            }
            else
            {
                logger.LogWarning("Callback {EventId} from {Provider} names unknown reference {ClientRef}", callback.EventId, provider, callback.Order.ClientRef);
            }
        }

        // The event ids are stored in the same transaction as their effect: seen if and only if applied.
        var now = time.GetUtcNow();
        await transitions.WriteAsync(db, events, [.. fresh.Select(p => new ProcessedCallback { EventId = p.SeenKey, ReceivedAt = now })], CancellationToken.None);
    }

    private async Task<bool> IsSeenAsync(string eventId)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        return await db.ProcessedCallbacks.AnyAsync(c => c.EventId == eventId);
    }
}
