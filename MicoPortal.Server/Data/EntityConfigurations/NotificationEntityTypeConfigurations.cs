using MicoPortal.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class CustomerNotificationEntityTypeConfiguration : IEntityTypeConfiguration<CustomerNotification>
{
    public void Configure(EntityTypeBuilder<CustomerNotification> builder)
    {
        builder.ToTable("CustomerNotifications");
        builder.Property(n => n.OrderStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(n => n.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(n => n.Channel).HasMaxLength(16);
        builder.Property(n => n.To).HasMaxLength(32);
        builder.Property(n => n.Text).HasMaxLength(480);
        builder.Property(n => n.GatewayMessageId).HasMaxLength(64);
        builder.Property(n => n.Error).HasMaxLength(500);
        builder.HasIndex(n => n.OrderId);
        // The sender's claim: due Pending rows, oldest first.
        builder.HasIndex(n => new { n.Status, n.NextTryAt });
        builder.HasIndex(n => n.LeaseToken);
    }
}

internal sealed class SandboxSmsMessageEntityTypeConfiguration : IEntityTypeConfiguration<SandboxSmsMessage>
{
    public void Configure(EntityTypeBuilder<SandboxSmsMessage> builder)
    {
        builder.ToTable("SandboxSmsMessages");
        builder.Property(m => m.IdempotencyKey).HasMaxLength(64);
        builder.HasIndex(m => m.IdempotencyKey).IsUnique();
        builder.Property(m => m.To).HasMaxLength(32);
        builder.Property(m => m.Text).HasMaxLength(480);
        builder.Ignore(m => m.MessageId);
    }
}
