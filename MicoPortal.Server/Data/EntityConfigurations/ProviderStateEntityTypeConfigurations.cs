using MicoPortal.Server.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class ProviderStateEntityTypeConfiguration : IEntityTypeConfiguration<ProviderState>
{
    public void Configure(EntityTypeBuilder<ProviderState> builder)
    {
        builder.ToTable("ProviderStates");
        builder.HasKey(p => p.Name);
        builder.Property(p => p.Name).HasMaxLength(ProviderCatalog.MaxNameLength);
        builder.Property(p => p.PauseReason).HasMaxLength(300);
        builder.Property(p => p.PausedBy).HasMaxLength(256);
        builder.Property(p => p.Currency).HasMaxLength(3);
    }
}

internal sealed class ProviderBalanceSampleEntityTypeConfiguration : IEntityTypeConfiguration<ProviderBalanceSample>
{
    public void Configure(EntityTypeBuilder<ProviderBalanceSample> builder)
    {
        builder.ToTable("ProviderBalanceSamples");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Provider).HasMaxLength(ProviderCatalog.MaxNameLength);
        builder.HasIndex(s => new { s.Provider, s.At });
    }
}
