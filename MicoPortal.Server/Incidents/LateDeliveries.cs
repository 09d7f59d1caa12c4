using MicoPortal.Server.Alerts;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Realtime;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Incidents;

/// <summary>
/// The <c>lateDelivery</c> incident (docs/api.md section 10): the provider reported SUCCESS for an attempt a person
/// had settled as Failed, so the customer may have the coins and a refund. The incident row is written in the
/// transaction of the order's change (<see cref="For"/>), so a crash cannot lose it; alerts and dashboards hear
/// of it after the commit (<see cref="PublishAsync"/>). It resolves when a person settles the order again.
/// </summary>
public sealed class LateDeliveries(AlertDispatcher alerts, IHubContext<OperationsHub, IOperationsDashboard> hub, ILogger<LateDeliveries> logger)
{
    public static string Series(long orderId) => $"{IncidentMetrics.LateDelivery}:{orderId}";

    /// <summary>The incident to save with the transition that found the late SUCCESS.</summary>
    public static Incident For(Order order, DateTimeOffset now) => new()
    {
        Metric = IncidentMetrics.LateDelivery,
        Sku = order.Sku,
        Region = order.Region,
        Provider = order.Provider,
        OrderId = order.Id,
        Severity = IncidentSeverity.Critical,
        StartedAt = now,
        UpdatedAt = now,
        OpenSeries = Series(order.Id),
        Observed = 1,
        Samples = 1,
        Summary = $"Order {order.Id} ({order.ExternalId}) was settled as Failed by a person, but {order.Provider ?? "its provider"} now reports "
            + $"SUCCESS for {order.ClientRef}{(order.ProofSerial is null ? "" : $" (serial {order.ProofSerial})")}: the customer may have the coins and a refund.",
    };

    /// <summary>After the commit: alerts and dashboards hear of the incidents just opened for these orders.</summary>
    public async Task PublishOpenedAsync(PortalDbContext db, IReadOnlyCollection<long> orderIds, CancellationToken cancellationToken)
    {
        if (orderIds.Count == 0)
        {
            return;
        }

        var series = orderIds.Select(Series).ToList();
        var opened = await db.Incidents.AsNoTracking().Where(i => i.OpenSeries != null && series.Contains(i.OpenSeries)).ToListAsync(cancellationToken);
        await PublishAsync(opened, IncidentChange.Opened, cancellationToken);
    }

    /// <summary>A person settled the order again: its open late-delivery incident resolves. Saved by the caller.</summary>
    public static async Task<Incident?> ResolveAsync(PortalDbContext db, long orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var series = Series(orderId);
        var open = await db.Incidents.FirstOrDefaultAsync(i => i.OpenSeries == series, cancellationToken);
        if (open is not null)
        {
            open.ResolvedAt = now;
            open.UpdatedAt = now;
            open.OpenSeries = null;
        }

        return open;
    }

    public async Task PublishAsync(IReadOnlyList<Incident> incidents, IncidentChange change, CancellationToken cancellationToken)
    {
        foreach (var incident in incidents)
        {
            logger.LogWarning("Incident {IncidentId} {Change}: {Metric} for order {OrderId}: {Summary}", incident.Id, change, incident.Metric, incident.OrderId, incident.Summary);
            alerts.Enqueue(incident.ToDto(), change);
        }

        if (incidents.Count > 0)
        {
            await hub.Clients.All.IncidentsChanged([.. incidents.Select(i => i.ToDto())], cancellationToken);
        }
    }
}
