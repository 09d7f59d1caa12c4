using MicoPortal.Shared.Reconciliation;
using MudBlazor;

namespace MicoPortal.Client.Services;

/// <summary>How the reconciliation pages show a run's counts and findings.</summary>
public static class ReconciliationText
{
    /// <summary>One headline number of a run: the log's rows, the matches, each kind of finding, the confirmations.</summary>
    public sealed record Count(string Key, string Title, long Value, string Caption, Color Color);

    /// <summary>The run's counts in the order the pages show them.</summary>
    public static IEnumerable<Count> Counts(ReconciliationCounts counts)
    {
        yield return new("rows", "Rows", counts.Rows, "log rows read", Color.Default);
        yield return new("matched", "Matched", counts.Matched, "rows that agree with their order", Color.Success);
        foreach (var kind in Enum.GetValues<ReconciliationItemKind>())
        {
            yield return new(KindKey(kind), ReconciliationItemKinds.Label(kind), counts.Of(kind), ReconciliationItemKinds.Description(kind), KindColor(kind));
        }

        yield return new("confirmed", "Ledger confirmations", counts.Confirmed, "orders confirmed by the log", Color.Success);
    }

    /// <summary>A kind's key in the markup: its label in kebab case (<c>missing-in-portal</c>).</summary>
    public static string KindKey(ReconciliationItemKind kind) => ReconciliationItemKinds.Label(kind).ToLowerInvariant().Replace(' ', '-');

    /// <summary>A row that could not be read is a warning; every other finding flags an order disputed.</summary>
    public static Color KindColor(ReconciliationItemKind kind) => kind == ReconciliationItemKind.InvalidRow ? Color.Warning : Color.Error;

    public static string Describe(PortalSide? portal) => portal is null
        ? "—"
        : $"{portal.Status} · {portal.Coins:N0} coins · max {portal.Amount:0.00##} {portal.Currency} · attempt {portal.AttemptNo}";

    public static string Describe(ProviderSide? provider)
    {
        if (provider is null)
        {
            return "—";
        }

        var parts = new List<string> { provider.Status ?? "(no status)" };
        if (provider.Quantity is { } quantity)
        {
            parts.Add($"{quantity:N0} coins");
        }

        if (provider.Amount is { } amount)
        {
            parts.Add($"{amount:0.00##} {provider.Currency}");
        }

        if (provider.ProviderRef is { Length: > 0 } reference)
        {
            parts.Add($"ref {reference}");
        }

        if (provider.Serial is { Length: > 0 } serial)
        {
            parts.Add($"serial {serial}");
        }

        if (provider.UpdatedAt is { } updated)
        {
            parts.Add(LocalTime.Format(updated));
        }

        return string.Join(" · ", parts);
    }
}
