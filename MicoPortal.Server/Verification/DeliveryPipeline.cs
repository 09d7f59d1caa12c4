using System.Collections.Concurrent;
using System.Threading.Channels;
using MicoPortal.Server.Data;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Verification;

/// <summary>
/// What the dispatch and verify sweeps share once a call has started: the calls in flight, and the
/// group-commit writer of their answers. A sweep claims orders, starts one call per order (create) or
/// per 500 orders (query) and moves on; it never waits for a batch. Each answer is queued here as it
/// arrives, and one writer saves whatever has queued up through <see cref="OrderTransitions"/> in one
/// transaction, so a slow or hanging call holds up nothing but its own order.
/// <para>
/// On shutdown the sweeps stop claiming; this service then waits for every call already sent (a create
/// is never abandoned: its answer is what keeps an order from becoming Unknown), saves their answers,
/// and hands back at once the orders whose call never started.
/// </para>
/// </summary>
public sealed class DeliveryPipeline(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderTransitions transitions,
    OrderClaims claims,
    ILogger<DeliveryPipeline> logger) : BackgroundService
{
    /// <summary>Answers per transaction at most: a batch holds the write lock for milliseconds.</summary>
    public const int MaxBatch = 2_000;

    private static readonly TimeSpan ShutdownPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(10);
    private const int GatherBelow = 64;

    private readonly Channel<Answer> _answers = Channel.CreateUnbounded<Answer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, int[]> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(long OrderId, DateTimeOffset Lease, ReleaseKind Kind)> _handBack = new();

    /// <summary>Per provider: calls started and not yet ended, by kind, then all kinds (the last slot).</summary>
    private int[] Counts(string provider) => _started.GetOrAdd(provider, _ => new int[Enum.GetValues<ProviderCallKind>().Length + 1]);

    /// <summary>
    /// Calls of this kind to this provider started and not yet ended: waiting for the limiter, on the wire or
    /// handing back. Sweeps claim against this count, not the limiter's, so orders claimed a moment ago and not
    /// yet at the limiter are not claimed for twice.
    /// </summary>
    public int CallsInFlight(string provider, ProviderCallKind kind) => Volatile.Read(ref Counts(provider)[(int)kind]);

    /// <summary>All calls to this provider started and not yet ended.</summary>
    public int CallsInFlight(string provider) => Volatile.Read(ref Counts(provider)[^1]);

    private int _inFlight;

    /// <summary>All calls started and not yet ended, to every provider.</summary>
    public int CallsInFlight() => Volatile.Read(ref _inFlight);

    private int _queued;

    /// <summary>Answers waiting for the writer or being saved. Sweeps count them as slots still taken (backpressure).</summary>
    public int AnswersQueued => Volatile.Read(ref _queued);

    /// <summary>Runs one call to its end in the background; the pipeline waits for it on shutdown.</summary>
    public void Track(string provider, ProviderCallKind kind, Func<Task> call)
    {
        // Counted before it starts, so a sweep never sees a call that has started but is not counted yet.
        var counts = Counts(provider);
        Interlocked.Increment(ref counts[(int)kind]);
        Interlocked.Increment(ref counts[^1]);
        Interlocked.Increment(ref _inFlight);
        _ = RunAsync(counts, kind, call);
    }

    private async Task RunAsync(int[] counts, ProviderCallKind kind, Func<Task> call)
    {
        try
        {
            await Task.Run(call);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A provider call failed outside its result handling");
        }
        finally
        {
            Interlocked.Decrement(ref counts[(int)kind]);
            Interlocked.Decrement(ref counts[^1]);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>An answer and the lease its order was claimed with (the state machine clears the order's own copy).</summary>
    private readonly record struct Answer(OrderWork Work, DateTimeOffset Lease);

    /// <summary>Queues an answer for the writer. The order must be as claimed, carrying its lease; the writer applies the event to the row as stored by then.</summary>
    public void Record(OrderWork work)
    {
        // The call's span (create or query), so the status change this answer causes is traced as its child.
        if (System.Diagnostics.Activity.Current is { } call)
        {
            work = work with { Cause = call.Context };
        }

        Interlocked.Increment(ref _queued);
        if (!_answers.Writer.TryWrite(new Answer(work, work.Order.LeaseUntil!.Value)))
        {
            Interlocked.Decrement(ref _queued);
            // Only after shutdown has drained: the lease runs out and the order is asked about again.
            logger.LogWarning("Answer for order {OrderId} arrived after the pipeline stopped; it will be asked again", work.Order.Id);
        }
    }

    /// <summary>Hands a claimed order back to the queue (its call never started, or its answer cannot be used).</summary>
    public void HandBack(Orders.Order order, ReleaseKind kind) => _handBack.Enqueue((order.Id, order.LeaseUntil!.Value, kind));

    private void HandBack(Answer answer) => _handBack.Enqueue((answer.Work.Order.Id, answer.Lease, ReleaseKind.CheckAgain));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Answer>(MaxBatch);
        while (await _answers.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            // Group commit: a lone answer waits a moment for company, so a trickle of answers is a few
            // transactions a second, not one per answer; under load the batch is full without waiting.
            if (AnswersQueued < GatherBelow)
            {
                await Task.Delay(Gather);
            }

            while (batch.Count < MaxBatch && _answers.Reader.TryRead(out var work))
            {
                batch.Add(work);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await SaveAsync(batch);
            Interlocked.Add(ref _queued, -batch.Count);
            logger.LogDebug("Recorded {Count} provider answers in {Ms:0} ms; {Queued} queued", batch.Count,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, AnswersQueued);
            await HandBackAsync();
        }

        await HandBackAsync();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The sweeps have stopped claiming (the host's stopping token, which the calls also hold): creates
        // already sent run to their answer or timeout, creates still waiting for the limiter and queries are
        // cancelled and hand their orders back. Wait for all of them, then save and hand back the rest.
        try
        {
            while (CallsInFlight() > 0)
            {
                await Task.Delay(ShutdownPoll, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Shutdown timed out with {Calls} provider calls in flight; their orders are asked about once their lease expires", CallsInFlight());
        }

        _answers.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task SaveAsync(List<Answer> batch)
    {
        using var activity = PortalTelemetry.StartBatch(PortalTelemetry.Spans.AnswersWrite, batch.Count);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            // Applied to the rows as they are now, not as claimed: a callback has often changed the order since
            // (it arrives while the create's answer waits here).
            await transitions.WriteAsync(db, [.. batch.Select(a => new PendingEvent(a.Work.Order.Id, a.Lease, row => a.Work with { Order = row }))],
                [], CancellationToken.None);
        }
        catch (DbUpdateException ex) when (batch.Count > 1)
        {
            // One bad row must not cost the others: save each half on its own until the culprit stands alone.
            logger.LogWarning(ex, "Saving {Count} provider answers together failed; saving them in halves", batch.Count);
            var half = batch.Count / 2;
            await SaveAsync([.. batch.Take(half)]);
            await SaveAsync([.. batch.Skip(half)]);
        }
        catch (Exception ex)
        {
            // The database itself is failing (or one row is bad): the calls were made, their answers are lost.
            // The orders keep their create mark and are asked about again once handed back (or their lease
            // expires, if the database is down for that too). Pause, so an outage is not hammered.
            logger.LogError(ex, "Could not save {Count} provider answers; their orders will be asked again", batch.Count);
            batch.ForEach(HandBack);
            await Task.Delay(ErrorPause);
        }
    }

    private async Task HandBackAsync()
    {
        if (_handBack.IsEmpty)
        {
            return;
        }

        var items = new List<(long OrderId, DateTimeOffset Lease, ReleaseKind Kind)>();
        while (_handBack.TryDequeue(out var item))
        {
            items.Add(item);
        }

        foreach (var group in items.GroupBy(i => (i.Lease, i.Kind)))
        {
            await claims.ReleaseAsync(dbFactory, [.. group.Select(i => i.OrderId)], group.Key.Lease, group.Key.Kind);
        }
    }
}
