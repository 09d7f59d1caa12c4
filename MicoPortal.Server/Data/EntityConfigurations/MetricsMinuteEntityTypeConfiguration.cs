using MicoPortal.Server.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class MetricsMinuteEntityTypeConfiguration : IEntityTypeConfiguration<MetricsMinute>
{
    public void Configure(EntityTypeBuilder<MetricsMinute> builder)
    {
        builder.ToTable("MetricsMinutes");
        builder.HasKey(m => new { m.Minute, m.Sku, m.Region, m.Instance });
        builder.Property(m => m.Sku).HasMaxLength(64);
        builder.Property(m => m.Region).HasMaxLength(8);
        builder.Property(m => m.Instance).HasMaxLength(128);
        builder.Property(m => m.LatencyBuckets).HasMaxLength(1000);
    }
}
