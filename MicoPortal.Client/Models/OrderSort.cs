namespace MicoPortal.Client.Models;

/// <summary>Maps a grid column to the <c>sort</c> field the orders API understands.</summary>
public static class OrderSort
{
    private static readonly Dictionary<string, string> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(OrderRow.ReceivedAt)] = "receivedAt",
        [nameof(OrderRow.UpdatedAt)] = "updatedAt",
        [nameof(OrderRow.Status)] = "status",
        [nameof(OrderRow.Coins)] = "coins",
        [nameof(OrderRow.LatencyMs)] = "latencyMs",
    };

    /// <summary>The API field for a column's sort name, or <c>null</c> (server default: newest first).</summary>
    public static string? FieldOf(string? sortBy) =>
        sortBy is not null && Fields.TryGetValue(sortBy, out var field) ? field : null;
}
