using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class OrderEntityTypeConfiguration : IEntityTypeConfiguration<Order>
{
    /// <summary>The filter of <c>IX_Orders_Unknown</c>, exactly as EF Core writes <c>o.Status == OrderStatus.Unknown</c> (so SQLite uses it).</summary>
    internal const string UnknownFilter = "\"Status\" = 'Unknown'";

    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTable("Orders");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.ExternalId).HasMaxLength(OrderValidation.MaxExternalId);
        builder.Property(o => o.MicoUserId).HasMaxLength(OrderValidation.MaxMicoUserId);
        builder.Property(o => o.Region).HasMaxLength(OrderValidation.MaxRegion);
        builder.Property(o => o.Sku).HasMaxLength(OrderValidation.MaxSku);
        builder.Property(o => o.Currency).HasMaxLength(OrderValidation.MaxCurrency);
        builder.Property(o => o.CustomerPhone).HasMaxLength(OrderValidation.MaxCustomerPhone);
        builder.Property(o => o.Shop).HasMaxLength(64);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.DisputeReason).HasMaxLength(300);
        builder.Property(o => o.ProviderRef).HasMaxLength(100);
        builder.Property(o => o.Provider).HasMaxLength(Providers.ProviderCatalog.MaxNameLength);
        // A few names at most (one per configured provider).
        builder.Property(o => o.ProvidersTried).HasMaxLength(300);
        builder.Property(o => o.ProviderStatus).HasMaxLength(16);
        builder.Property(o => o.ReasonCode).HasMaxLength(64);
        builder.Property(o => o.ReasonMessage).HasMaxLength(500);
        builder.Property(o => o.ProofSerial).HasMaxLength(100);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.Ignore(o => o.ClientRef);
        builder.Ignore(o => o.ConfirmationCount);

        // Idempotency is per shop: two shops may use the same externalId. ExternalId first, so the
        // operators' lookup by externalId alone uses the same index.
        builder.HasIndex(o => new { o.ExternalId, o.Shop }).IsUnique();
        // The work queue: sweeps look for due orders by time.
        builder.HasIndex(o => o.NextCheckAt, OrderClaims.WorkQueueIndex).HasFilter("\"NextCheckAt\" IS NOT NULL");
        // The dispatch queue apart, so a burst of new orders is claimed without sorting them all.
        builder.HasIndex(o => o.NextCheckAt, OrderClaims.DispatchIndex).HasFilter(OrderClaims.DispatchIndexFilter);
        // Listing newest first, and the stuck sweep over open orders.
        builder.HasIndex(o => o.ReceivedAt);
        builder.HasIndex(o => new { o.Status, o.ReceivedAt });
        builder.HasIndex(o => o.MicoUserId);
        // Partial indexes of the few flagged orders: the dashboard counts and the failed deliveries
        // page read only these, and inserting an ordinary order touches none of them.
        // Sku and Region in it: the incident monitor counts stuck orders per slice from the index alone.
        builder.HasIndex(o => new { o.Stuck, o.Sku, o.Region }).HasDatabaseName("IX_Orders_Stuck").HasFilter("\"Stuck\"");
        // Status first, so SQLite prefers it to the status index for "Status = 'Unknown'" (and reads it alone).
        builder.HasIndex(o => new { o.Status, o.Sku, o.Region }).HasDatabaseName("IX_Orders_Unknown").HasFilter(UnknownFilter);
        builder.HasIndex(o => o.Disputed).HasFilter("\"Disputed\"");
        builder.HasIndex(o => o.UpdatedAt).HasDatabaseName("IX_Orders_Attention").HasFilter(Order.NeedsAttentionSql);

        builder.HasMany(o => o.Attempts).WithOne().HasForeignKey(a => a.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
