using MicoPortal.Server.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class IncidentEntityTypeConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("Incidents");
        builder.Property(i => i.Metric).HasMaxLength(32);
        builder.Property(i => i.Sku).HasMaxLength(64);
        builder.Property(i => i.Region).HasMaxLength(8);
        builder.Property(i => i.Provider).HasMaxLength(Providers.ProviderCatalog.MaxNameLength);
        builder.Property(i => i.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.OpenSeries).HasMaxLength(128);
        builder.Property(i => i.Summary).HasMaxLength(500);
        builder.HasIndex(i => i.OpenSeries).IsUnique();
        builder.HasIndex(i => i.StartedAt);
    }
}
