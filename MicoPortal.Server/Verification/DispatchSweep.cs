using System.Globalization;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Sends Received orders to a provider: one create per order per delivery attempt. A round claims as many
/// orders as the providers that take new attempts have free slots (each one's limit less the calls this
/// pipeline has in flight to it), routes each to the first of them by priority that serves it and has had no
/// earlier attempt of it (stored with the claim, before anything is sent), starts the creates and returns;
/// the answers are recorded by <see cref="DeliveryPipeline"/> as they arrive. There is no batch to wait for:
/// a slot freed by one answer is filled by the next round, and a create that hangs until its timeout holds
/// one slot and nothing else.
/// </summary>
public sealed class DispatchSweep(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderClaims claims,
    ProviderCatalog providers,
    ProviderCallbackAddress callbackAddress,
    DeliveryPipeline pipeline,
    IOptions<VerificationOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time)
{
    /// <summary>Margin between the last moment a create may start and its lease running out (past its own timeout).</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);

    /// <summary>One round: wait for free slots, claim that many orders, route them, start their creates. Returns orders claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var open = providers.All.Where(p => p.TakesNewAttempts(Environment.TickCount64)).ToList();
        var free = await SlotWait.ForFreeSlotsAsync(open, pipeline, time, ProviderCallKind.Create, int.MaxValue, cancellationToken,
            queriesReserved: options.Value.MaxQueriesInFlight);
        var total = free.Values.Sum();
        if (total == 0)
        {
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var nowMs = Environment.TickCount64;
        var batch = await claims.ClaimForDispatchAsync(db, Math.Min(total, options.Value.DispatchBatchSize), order => providers.Route(order, nowMs, free), cancellationToken);
        foreach (var order in batch.Orders)
        {
            var provider = providers.Find(order.Provider)!;
            var callbackUrl = callbackAddress.For(provider.Name);
            var release = batch.Routed!.Contains(order.Id) ? ReleaseKind.NeverSentReroute : ReleaseKind.NeverSent;
            // The call outlives this round: it stops waiting on the host's shutdown, not on this round's token.
            pipeline.Track(provider.Name, ProviderCallKind.Create, () => SendAsync(provider, order, callbackUrl, release, lifetime.ApplicationStopping));
        }

        // Orders looked at and left for later count as work done: the next round comes at once, not after an idle pause.
        return batch.Considered;
    }

    /// <summary>
    /// The token only cancels waiting for a slot or a rate token (shutdown), and so does running out of
    /// time to send: a create must start early enough to be answered or time out while its lease holds,
    /// or another sweep could take the order over, find nothing at the provider and send it again. Either
    /// way the order is handed back as never sent, and so is one whose provider was paused at the last
    /// moment. Once the create is on the wire it runs to its answer or its own timeout.
    /// </summary>
    private async Task SendAsync(ProviderEntry provider, Order order, string callbackUrl, ReleaseKind release, CancellationToken stopping)
    {
        // The provider's HTTP call is this span's child; the answer recorded below carries it to the transition it causes.
        using var activity = PortalTelemetry.Source.StartActivity(PortalTelemetry.Spans.DispatchCreate)?
            .SetTag(PortalTelemetry.Attributes.OrderId, order.Id)
            .SetTag(PortalTelemetry.Attributes.Provider, provider.Name)
            .SetTag(PortalTelemetry.Attributes.AttemptRef, order.ClientRef)
            .SetTag(PortalTelemetry.Attributes.AttemptNo, order.AttemptNo);
        var sendBy = order.LeaseUntil!.Value - provider.Options.CreateTimeout - LeaseMargin - time.GetUtcNow();
        using var waitLimit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        waitLimit.CancelAfter(sendBy > TimeSpan.Zero ? sendBy : TimeSpan.Zero);
        CreateResult answer;
        try
        {
            answer = await provider.Client.CreateOrderAsync(ToProviderRequest(order, callbackUrl), waitLimit.Token);
        }
        catch (OperationCanceledException) when (waitLimit.IsCancellationRequested)
        {
            activity?.SetTag(PortalTelemetry.Attributes.Outcome, "not sent");
            pipeline.HandBack(order, release);
            return;
        }

        activity?.SetTag(PortalTelemetry.Attributes.Outcome, answer.GetType().Name);
        if (answer is CreateResult.NotSent)
        {
            pipeline.HandBack(order, release);
            return;
        }

        if (answer is CreateResult.Accepted accepted)
        {
            activity?.SetTag(PortalTelemetry.Attributes.ProviderStatus, accepted.Order.Status);
        }
        else
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, answer is CreateResult.Rejected r ? r.Code : ((CreateResult.Unknown)answer).Error);
        }

        pipeline.Record(answer switch
        {
            CreateResult.Accepted a => new OrderWork(order, new CreateAnswered(a.Order), AttemptKind.Create, a.Call, a.Order.Status),
            CreateResult.Rejected r => new OrderWork(order, new CreateRejected(r.Code, r.Message), AttemptKind.Create, r.Call, Error: $"{r.Code}: {r.Message}"),
            CreateResult.Unknown u => new OrderWork(order, new CreateOutcomeUnknown(u.Error, u.RetryAfter), AttemptKind.Create, u.Call, Error: u.Error),
            var other => throw new InvalidOperationException($"Unexpected create result {other}"),
        });
    }

    internal static ProviderCreateOrderRequest ToProviderRequest(Order order, string? callbackUrl) => new(
        order.ClientRef,
        order.Sku,
        new ProviderAccount(order.MicoUserId, order.Region),
        order.Coins,
        new ProviderMoney(order.Amount.ToString(CultureInfo.InvariantCulture), order.Currency),
        callbackUrl);
}

/// <summary>How a sweep waits for the provider's limiter before claiming.</summary>
internal static class SlotWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Waits until at least a few slots are free at one of <paramref name="providers"/> (an eighth of its limit,
    /// at most 50, so claims are not one order each; any one for queries) and returns how many per provider, counting at most
    /// <paramref name="maxOfKind"/> calls of <paramref name="kind"/> in flight. Creates leave room for
    /// <paramref name="queriesReserved"/> queries (at most a quarter of the limit), so a flood of creates
    /// never starves the queries that confirm them. Nothing is claimed while the writer is more than two
    /// batches behind: claiming faster than answers are saved would only lengthen its queue until leases
    /// run out while answers wait in it. Calls end within their own timeout and the writer drains, so this ends.
    /// No providers (all paused or down): none at once.
    /// </summary>
    public static async Task<Dictionary<string, int>> ForFreeSlotsAsync(IReadOnlyCollection<ProviderEntry> providers, DeliveryPipeline pipeline, TimeProvider time,
        ProviderCallKind kind, int maxOfKind, CancellationToken cancellationToken, int queriesReserved = 0)
    {
        var free = new Dictionary<string, int>(StringComparer.Ordinal);
        if (providers.Count == 0)
        {
            return free;
        }

        while (true)
        {
            var room = maxOfKind - providers.Sum(p => pipeline.CallsInFlight(p.Name, kind));
            if (pipeline.AnswersQueued < 2 * DeliveryPipeline.MaxBatch && room > 0)
            {
                foreach (var provider in providers)
                {
                    if (room > 0 && FreeSlots(provider, pipeline, kind, queriesReserved) is > 0 and var slots)
                    {
                        free[provider.Name] = Math.Min(slots, room);
                        room -= free[provider.Name];
                    }
                }

                if (free.Count > 0)
                {
                    return free;
                }
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    /// <summary>Slots free at one provider for calls of <paramref name="kind"/>; 0 unless enough to be worth a claim.</summary>
    private static int FreeSlots(ProviderEntry provider, DeliveryPipeline pipeline, ProviderCallKind kind, int queriesReserved)
    {
        var limit = provider.Limiter.Limit;
        var reserved = Math.Max(0, Math.Min(queriesReserved, limit / 4) - pipeline.CallsInFlight(provider.Name, ProviderCallKind.Query));
        var free = limit - reserved - pipeline.CallsInFlight(provider.Name);
        var worthClaiming = kind == ProviderCallKind.Query ? 1 : Math.Clamp(limit / 8, 1, 50);
        return free >= worthClaiming ? free : 0;
    }
}
