using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Data;

/// <summary>
/// The model's SQL Server differences. Entity configurations write index filters in SQLite's SQL,
/// which PostgreSQL reads as is; SQL Server wants <c>[x] = 1</c> for a boolean and does not allow
/// <c>OR</c> in a filtered index. A filter this class does not know fails the model build, so a new
/// partial index gets its SQL Server form here rather than a broken migration.
/// </summary>
internal static class SqlServerModel
{
    /// <summary>SQLite/PostgreSQL filter → SQL Server filter (null: the index is kept, unfiltered).</summary>
    private static readonly Dictionary<string, string?> Filters = new(StringComparer.Ordinal)
    {
        ["\"NextCheckAt\" IS NOT NULL"] = "[NextCheckAt] IS NOT NULL",
        [OrderClaims.DispatchIndexFilter] = "[Status] = 'Received' AND [CreateIssuedAt] IS NULL",
        ["\"Stuck\""] = "[Stuck] = 1",
        [EntityConfigurations.OrderEntityTypeConfiguration.UnknownFilter] = "[Status] = 'Unknown'",
        ["\"Disputed\""] = "[Disputed] = 1",
        // Filtered indexes cannot contain OR: a plain UpdatedAt index serves the failed deliveries page.
        [Order.NeedsAttentionSql] = null,
    };

    public static void Adapt(ModelBuilder modelBuilder)
    {
        foreach (var index in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredIndexes()))
        {
            var filter = index.GetFilter();
            // SQL Server's own filters (EF adds "[x] IS NOT NULL" to unique indexes on nullable columns) stay.
            if (filter is null || filter.Contains('[', StringComparison.Ordinal))
            {
                continue;
            }

            if (!Filters.TryGetValue(filter, out var sqlServer))
            {
                throw new InvalidOperationException(
                    $"Index {index.GetDatabaseName()} has the filter '{filter}' with no SQL Server form; add one to {nameof(SqlServerModel)}.");
            }

            index.SetFilter(sqlServer);
        }

        // SQLite and PostgreSQL compare text byte by byte; SQL Server's default collation ignores case,
        // which would make "abc" and "ABC" one order. Idempotency keys compare exactly everywhere.
        modelBuilder.Entity<Order>(order =>
        {
            order.Property(o => o.ExternalId).UseCollation("Latin1_General_100_BIN2");
            order.Property(o => o.Shop).UseCollation("Latin1_General_100_BIN2");
        });
        // A shop's webhook and its deliveries match its orders' shop exactly, as above.
        modelBuilder.Entity<Webhooks.ShopWebhook>().Property(w => w.Shop).UseCollation("Latin1_General_100_BIN2");
        modelBuilder.Entity<Webhooks.WebhookDelivery>().Property(d => d.Shop).UseCollation("Latin1_General_100_BIN2");
    }
}
