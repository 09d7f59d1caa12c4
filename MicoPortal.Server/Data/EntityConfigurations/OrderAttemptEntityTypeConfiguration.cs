using MicoPortal.Server.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class OrderAttemptEntityTypeConfiguration : IEntityTypeConfiguration<OrderAttempt>
{
    public void Configure(EntityTypeBuilder<OrderAttempt> builder)
    {
        builder.ToTable("OrderAttempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.ProviderStatus).HasMaxLength(16);
        builder.Property(a => a.Provider).HasMaxLength(Providers.ProviderCatalog.MaxNameLength);
        builder.Property(a => a.Outcome).HasMaxLength(300);
        builder.Property(a => a.Error).HasMaxLength(500);
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.HasIndex(a => new { a.OrderId, a.Id });
    }
}
