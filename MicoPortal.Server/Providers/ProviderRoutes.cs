using MicoPortal.Server.Orders;

namespace MicoPortal.Server.Providers;

/// <summary>One provider's place in routing: its priority and what it serves (empty lists serve all).</summary>
public sealed record ProviderRoute(string Name, int Priority, IReadOnlyCollection<string> Skus, IReadOnlyCollection<string> Regions)
{
    public bool Serves(string sku, string region) =>
        (Skus.Count == 0 || Skus.Contains(sku, StringComparer.OrdinalIgnoreCase)) && ServesRegion(region);

    public bool ServesRegion(string region) => Regions.Count == 0 || Regions.Contains(region, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The configured providers in routing order (docs/api.md section 8): lower priority first, then by name so
/// the order is the same on every instance. Pure data, so the state machine can ask it whether an order
/// has somewhere left to fail over to; whether a provider is paused or down right now is dispatch's
/// business, not the state machine's.
/// </summary>
public sealed class ProviderRoutes
{
    /// <summary>The single provider of a portal configured the old way.</summary>
    public static readonly ProviderRoutes Single = new([new ProviderRoute(ProviderCatalog.DefaultProvider, 100, [], [])]);

    public ProviderRoutes(IEnumerable<ProviderRoute> routes)
    {
        All = [.. routes.OrderBy(r => r.Priority).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<ProviderRoute> All { get; }

    /// <summary>Providers this order's earlier attempts went to.</summary>
    public static IReadOnlyCollection<string> Tried(Order order) =>
        string.IsNullOrEmpty(order.ProvidersTried) ? [] : order.ProvidersTried.Split(',');

    /// <summary>
    /// The providers a new attempt of <paramref name="order"/> may go to, best first: they serve its SKU and
    /// region and no earlier attempt of it went there (at most one attempt per provider per order).
    /// </summary>
    public IEnumerable<ProviderRoute> Candidates(Order order)
    {
        var tried = Tried(order);
        return All.Where(r => r.Serves(order.Sku, order.Region) && !tried.Contains(r.Name));
    }

    /// <summary>
    /// True when a confirmed failure of the current attempt can move the order to another provider. An attempt
    /// with no provider stored predates several providers: it was at <c>default</c>.
    /// </summary>
    public bool CanFailOver(Order order) =>
        Candidates(order).Any(r => !string.Equals(r.Name, order.Provider ?? ProviderCatalog.DefaultProvider, StringComparison.Ordinal));

    /// <summary>Adds the current attempt's provider to the order's tried list.</summary>
    public static void MarkTried(Order order)
    {
        if (order.Provider is { } provider && !Tried(order).Contains(provider))
        {
            order.ProvidersTried = string.IsNullOrEmpty(order.ProvidersTried) ? provider : order.ProvidersTried + "," + provider;
        }
    }
}
