using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Asks the provider about due orders, up to 500 references per call, several calls in flight at once
/// (<see cref="VerificationOptions.MaxQueriesInFlight"/>, inside the provider's limiter). Like dispatch,
/// a round claims only what it can send now and leaves the answers to <see cref="DeliveryPipeline"/>.
/// </summary>
public sealed class VerifySweep(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderClaims claims,
    ProviderCatalog providers,
    DeliveryPipeline pipeline,
    IOptions<VerificationOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time)
{
    /// <summary>
    /// Queries go to every provider, paused or down alike: they only read, and an attempt is verified by the
    /// provider that holds it. Each attempt's orders are asked of their own provider.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var room = (await SlotWait.ForFreeSlotsAsync(providers.All, pipeline, time, ProviderCallKind.Query, settings.MaxQueriesInFlight, cancellationToken)).Values.Sum();

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await claims.ClaimForVerifyAsync(db, Math.Min(settings.VerifyBatchSize, room * settings.QueryChunkSize), cancellationToken);
        // No provider stored: sent before there were several providers (or by an instance of that time), so to default.
        foreach (var group in batch.Orders.GroupBy(o => o.Provider ?? ProviderCatalog.DefaultProvider))
        {
            if (providers.Find(group.Key) is not { } provider)
            {
                // A provider no longer configured: nobody to ask. Its orders keep their lease (asked about again each
                // lease) and go stuck after the SLA, for a person.
                continue;
            }

            foreach (var chunk in group.Chunk(settings.QueryChunkSize))
            {
                pipeline.Track(provider.Name, ProviderCallKind.Query, () => QueryAsync(provider.Name, provider.Client, chunk, lifetime.ApplicationStopping));
            }
        }

        return batch.Orders.Count;
    }

    /// <summary>Queries only read, so shutdown may abandon them: the orders are handed back and asked again later.</summary>
    private async Task QueryAsync(string name, IProviderClient provider, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        // Up to 500 orders: no attribute names them all. Each status change it causes is a child span with its
        // order's id (PortalTelemetry.Transition), which is how an order confirmed by a query is followed.
        using var activity = PortalTelemetry.Source.StartActivity(PortalTelemetry.Spans.VerifyQuery)?
            .SetTag(PortalTelemetry.Attributes.Provider, name).SetTag(PortalTelemetry.Attributes.Count, orders.Count);
        QueryResult answer;
        try
        {
            answer = await provider.QueryOrdersAsync([.. orders.Select(o => o.ClientRef)], cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var order in orders)
            {
                pipeline.HandBack(order, ReleaseKind.CheckAgain);
            }

            return;
        }

        if (answer is QueryResult.Failed failed)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failed.Error);
        }

        foreach (var work in ToWork(orders, answer))
        {
            pipeline.Record(work);
        }
    }

    private static IEnumerable<OrderWork> ToWork(IReadOnlyList<Order> orders, QueryResult answer)
    {
        if (answer is QueryResult.Failed failed)
        {
            return orders.Select(o => new OrderWork(o, new QueryFailed(failed.Error, failed.RetryAfter), AttemptKind.Query, failed.Call, Error: failed.Error));
        }

        var answered = (QueryResult.Answered)answer;
        // Answers may come in any order: match by reference, never by position.
        var views = answered.Orders.GroupBy(v => v.ClientRef).ToDictionary(g => g.Key, g => g.MaxBy(v => v.Version)!);
        var notFound = answered.NotFound.ToHashSet(StringComparer.Ordinal);
        return orders.Select(o =>
            views.TryGetValue(o.ClientRef, out var view) ? new OrderWork(o, new QueryAnswered(view), AttemptKind.Query, answered.Call, view.Status)
            : notFound.Contains(o.ClientRef) ? new OrderWork(o, new QueryNotFound(), AttemptKind.Query, answered.Call, Error: ProviderErrorCodes.RefNotFound)
            : new OrderWork(o, new QueryFailed("reference missing from the provider's answer", null), AttemptKind.Query, answered.Call, Error: "missing from answer"));
    }
}
