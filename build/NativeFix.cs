// Native loading fix for TorchSharp 0.107.0 on Linux distributions with GCC 12's libstdc++
// (Debian 12, Ubuntu 22.04). See environment.md, "Linux: the libstdc++ note".
//
// libLibTorchSharp.so asks for the symbol version GLIBCXX_3.4.32 (GCC 13) for exactly one symbol,
// _ZSt21ios_base_library_initv, which is referenced but never called. The dynamic loader refuses
// the library when the system libstdc++ does not define that version. Marking the one version
// requirement as weak (VER_FLG_WEAK in its Vernaux entry of .gnu.version_r) lets it load.
//
// This file is compiled twice: into the GanNotebooks library (GANKIT_LIBRARY defined; runtime
// check and fallback) and as an MSBuild inline task (Directory.Build.targets) that patches the
// copy in each project's build output. Nothing outside the kit's own output folders is touched.
using System;
using System.IO;
using System.Text;

namespace GanNotebooks.Runtime
{
    /// <summary>What <see cref="NativeFix.Apply"/> did to one library file.</summary>
    public enum NativeFixOutcome
    {
        /// <summary>Not Linux, or the file does not exist: nothing to do.</summary>
        NotApplicable,
        /// <summary>The system libstdc++ defines the version: the library loads as shipped.</summary>
        NotNeeded,
        /// <summary>The requirement was already weak (patched before).</summary>
        AlreadyPatched,
        /// <summary>The requirement was made weak now.</summary>
        Patched,
        /// <summary>The library does not require the version at all (another TorchSharp build).</summary>
        NoSuchRequirement,
    }

    /// <summary>Detects and applies the GLIBCXX version fix for libLibTorchSharp.so.</summary>
    public static class NativeFix
    {
        /// <summary>The symbol version that GCC 12 libstdc++ lacks.</summary>
        public const string MissingVersion = "GLIBCXX_3.4.32";
        public const string LibraryFileName = "libLibTorchSharp.so";
        const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>True when the system's libstdc++.so.6 defines <paramref name="version"/>.</summary>
        public static bool SystemLibStdCxxHas(string version)
        {
            foreach (var path in CandidateLibStdCxxPaths())
            {
                if (!File.Exists(path)) continue;
                var bytes = File.ReadAllBytes(path);
                return IndexOf(bytes, Encoding.ASCII.GetBytes(version + "\0")) >= 0;
            }
            // No libstdc++ found where we look: assume the loader knows better and do nothing.
            return true;
        }

        static string[] CandidateLibStdCxxPaths() => new[]
        {
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>
        /// Makes the GLIBCXX_3.4.32 requirement of <paramref name="libraryPath"/> weak when the system
        /// libstdc++ lacks it. Writes a temporary copy beside the file and moves it over the original,
        /// so an interrupted patch never leaves a half-written library.
        /// </summary>
        public static NativeFixOutcome Apply(string libraryPath, bool force = false)
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || !File.Exists(libraryPath)) return NativeFixOutcome.NotApplicable;
            if (!force && SystemLibStdCxxHas(MissingVersion)) return NativeFixOutcome.NotNeeded;
            var bytes = File.ReadAllBytes(libraryPath);
            var offset = FindFlagsOffset(bytes, MissingVersion);
            if (offset < 0) return NativeFixOutcome.NoSuchRequirement;
            ushort flags = BitConverter.ToUInt16(bytes, offset);
            if ((flags & VerFlgWeak) != 0) return NativeFixOutcome.AlreadyPatched;
            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(bytes, offset);
            var tmp = libraryPath + ".patching";
            File.WriteAllBytes(tmp, bytes);
            File.Replace(tmp, libraryPath, null); // atomic rename over the original
            return NativeFixOutcome.Patched;
        }

        /// <summary>True when the requirement for <paramref name="version"/> is marked weak.</summary>
        public static bool IsWeak(string libraryPath, string version = MissingVersion)
        {
            var bytes = File.ReadAllBytes(libraryPath);
            var offset = FindFlagsOffset(bytes, version);
            return offset >= 0 && (BitConverter.ToUInt16(bytes, offset) & VerFlgWeak) != 0;
        }

        /// <summary>
        /// Byte offset of vna_flags of the Vernaux entry naming <paramref name="version"/> in an ELF64
        /// little-endian file, or −1. Layout: Elf64_Shdr (64 bytes), Elf64_Verneed {vn_version u16,
        /// vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32}, Elf64_Vernaux {vna_hash u32,
        /// vna_flags u16, vna_other u16, vna_name u32, vna_next u32}.
        /// </summary>
        public static int FindFlagsOffset(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                long secOff = BitConverter.ToInt64(elf, sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
                int strSh = checked((int)(shoff + (long)link * shentsize));
                long strOff = BitConverter.ToInt64(elf, strSh + 0x18);
                long vn = secOff;
                while (true)
                {
                    int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < cnt; a++)
                    {
                        uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, strOff + name) == version) return (int)aux + 4;
                        uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint vnNext = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (vnNext == 0) break;
                    vn += vnNext;
                }
            }
            return -1;
        }

        static string ReadCString(byte[] b, long at)
        {
            int start = (int)at, end = start;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, start, end - start);
        }

        static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i <= hay.Length - needle.Length; i++)
            {
                if (hay[i] != needle[0]) continue;
                int j = 1;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !GANKIT_LIBRARY
/// <summary>MSBuild task: patches every libLibTorchSharp.so under the given output folder.</summary>
public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, GanNotebooks.Runtime.NativeFix.LibraryFileName, System.IO.SearchOption.AllDirectories))
        {
            var outcome = GanNotebooks.Runtime.NativeFix.Apply(file);
            if (outcome == GanNotebooks.Runtime.NativeFixOutcome.Patched)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"GanNotebooks: marked {GanNotebooks.Runtime.NativeFix.MissingVersion} weak in {file} (system libstdc++ lacks it; see environment.md)");
        }
        return true;
    }
}
#endif
