using MicoPortal.Server.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class ShopApiKeyEntityTypeConfiguration : IEntityTypeConfiguration<ShopApiKey>
{
    public void Configure(EntityTypeBuilder<ShopApiKey> builder)
    {
        builder.ToTable("ShopApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Shop).HasMaxLength(64);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.Hash).HasMaxLength(32);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Property(k => k.RevokedBy).HasMaxLength(256);
        // Every shop request finds its key by digest.
        builder.HasIndex(k => k.Hash).IsUnique();
    }
}
