using MicoPortal.Server.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class ShopWebhookEntityTypeConfiguration : IEntityTypeConfiguration<ShopWebhook>
{
    public void Configure(EntityTypeBuilder<ShopWebhook> builder)
    {
        builder.ToTable("ShopWebhooks");
        builder.HasKey(w => w.Shop);
        builder.Property(w => w.Shop).HasMaxLength(64);
        builder.Property(w => w.Url).HasMaxLength(ShopWebhook.MaxUrl);
        builder.Property(w => w.ProtectedSecret).HasMaxLength(1000);
        builder.Property(w => w.UpdatedBy).HasMaxLength(256);
    }
}

internal sealed class WebhookDeliveryEntityTypeConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.EventId).HasMaxLength(64);
        builder.HasIndex(d => d.EventId).IsUnique();
        builder.Property(d => d.Shop).HasMaxLength(64);
        builder.Property(d => d.Type).HasMaxLength(32);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(500);
        // The sender's claim: due pending rows, oldest first.
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        // Per-order ordering (an earlier event of the order still pending holds the later ones) and the order page.
        builder.HasIndex(d => new { d.OrderId, d.Id });
        // The deliveries page by shop, newest first.
        builder.HasIndex(d => new { d.Shop, d.Id });
        builder.HasIndex(d => d.LeaseToken);
    }
}

internal sealed class WebhookAttemptEntityTypeConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("WebhookAttempts");
        builder.Property(a => a.Error).HasMaxLength(500);
        builder.HasIndex(a => a.DeliveryId);
    }
}
