using MicoPortal.Server.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MicoPortal.Server.Data.EntityConfigurations;

internal sealed class AuditEntryEntityTypeConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Details).HasMaxLength(AuditTrail.MaxDetails);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        // Unique: two sealers can never give out the same number (the loser's save fails). Unsealed
        // entries (NULL) sit together at the front of this index, in Id order, for the sealer.
        builder.HasIndex(e => e.Sequence).IsUnique();
        builder.HasIndex(e => new { e.OrderId, e.Id });
    }
}

internal sealed class AuditCheckpointEntityTypeConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.ToTable("AuditCheckpoints");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.HasIndex(c => c.Sequence);
    }
}
