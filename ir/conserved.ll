; Layer 2 conservation kernels: target-free, typed pointers, explicit vector IR, stack-free leaf functions.
; Lengths are i32 (callers split larger buffers). Sums are exact: bytes widen to i16 lanes for at most 128
; iterations of 64 bytes (128 * 255 < 2^16), then into an i64 total, so nothing wraps before the final mod 96.
;
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64 | FileCheck-14 %s --check-prefix=X64
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64-v3 | FileCheck-14 %s --check-prefix=AVX2
; RUN: opt -O3 -mattr=+simd128,+atomics,+bulk-memory %s | llc -O3 -march=wasm32 -mattr=+simd128,+atomics,+bulk-memory | FileCheck-14 %s --check-prefix=WASM

declare i32 @llvm.umin.i32(i32, i32)
declare i32 @llvm.vector.reduce.add.v16i32(<16 x i32>)
declare void @llvm.memmove.p0i8.p0i8.i32(i8* nocapture, i8* nocapture readonly, i32, i1 immarg)

; Exact Σ of len bytes.
define internal i64 @sum64(i8* nocapture readonly %p, i32 %len) alwaysinline {
entry:
  %vecbytes = and i32 %len, -64
  br label %outer

outer:
  %i = phi i32 [ 0, %entry ], [ %bend, %flush ]
  %total = phi i64 [ 0, %entry ], [ %total.next, %flush ]
  %left = sub i32 %vecbytes, %i
  %more = icmp ne i32 %left, 0
  br i1 %more, label %block, label %tail.head

block:
  %blen = call i32 @llvm.umin.i32(i32 %left, i32 8192)
  %bend = add nuw nsw i32 %i, %blen
  br label %inner

inner:
  %j = phi i32 [ %i, %block ], [ %j.next, %inner ]
  %a0 = phi <16 x i16> [ zeroinitializer, %block ], [ %a0.n, %inner ]
  %a1 = phi <16 x i16> [ zeroinitializer, %block ], [ %a1.n, %inner ]
  %a2 = phi <16 x i16> [ zeroinitializer, %block ], [ %a2.n, %inner ]
  %a3 = phi <16 x i16> [ zeroinitializer, %block ], [ %a3.n, %inner ]
  %q0 = getelementptr inbounds i8, i8* %p, i32 %j
  %j16 = add nuw nsw i32 %j, 16
  %q1 = getelementptr inbounds i8, i8* %p, i32 %j16
  %j32 = add nuw nsw i32 %j, 32
  %q2 = getelementptr inbounds i8, i8* %p, i32 %j32
  %j48 = add nuw nsw i32 %j, 48
  %q3 = getelementptr inbounds i8, i8* %p, i32 %j48
  %p0 = bitcast i8* %q0 to <16 x i8>*
  %p1 = bitcast i8* %q1 to <16 x i8>*
  %p2 = bitcast i8* %q2 to <16 x i8>*
  %p3 = bitcast i8* %q3 to <16 x i8>*
  %v0 = load <16 x i8>, <16 x i8>* %p0, align 1
  %v1 = load <16 x i8>, <16 x i8>* %p1, align 1
  %v2 = load <16 x i8>, <16 x i8>* %p2, align 1
  %v3 = load <16 x i8>, <16 x i8>* %p3, align 1
  %w0 = zext <16 x i8> %v0 to <16 x i16>
  %w1 = zext <16 x i8> %v1 to <16 x i16>
  %w2 = zext <16 x i8> %v2 to <16 x i16>
  %w3 = zext <16 x i8> %v3 to <16 x i16>
  %a0.n = add <16 x i16> %a0, %w0
  %a1.n = add <16 x i16> %a1, %w1
  %a2.n = add <16 x i16> %a2, %w2
  %a3.n = add <16 x i16> %a3, %w3
  %j.next = add nuw nsw i32 %j, 64
  %inner.done = icmp eq i32 %j.next, %bend
  br i1 %inner.done, label %flush, label %inner

flush:
  %e0 = zext <16 x i16> %a0.n to <16 x i32>
  %e1 = zext <16 x i16> %a1.n to <16 x i32>
  %e2 = zext <16 x i16> %a2.n to <16 x i32>
  %e3 = zext <16 x i16> %a3.n to <16 x i32>
  %s01 = add <16 x i32> %e0, %e1
  %s23 = add <16 x i32> %e2, %e3
  %s = add <16 x i32> %s01, %s23
  %bsum = call i32 @llvm.vector.reduce.add.v16i32(<16 x i32> %s)
  %bsum64 = zext i32 %bsum to i64
  %total.next = add i64 %total, %bsum64
  br label %outer

tail.head:
  %has.tail = icmp ult i32 %vecbytes, %len
  br i1 %has.tail, label %tail, label %done

tail:
  %k = phi i32 [ %vecbytes, %tail.head ], [ %k.next, %tail ]
  %t = phi i64 [ %total, %tail.head ], [ %t.next, %tail ]
  %bp = getelementptr inbounds i8, i8* %p, i32 %k
  %b = load i8, i8* %bp, align 1
  %b64 = zext i8 %b to i64
  %t.next = add i64 %t, %b64
  %k.next = add nuw nsw i32 %k, 1
  %tail.done = icmp eq i32 %k.next, %len
  br i1 %tail.done, label %done, label %tail

done:
  %result = phi i64 [ %total, %tail.head ], [ %t.next, %tail ]
  ret i64 %result
}

define internal i32 @residue(i8* nocapture readonly %p, i32 %len) alwaysinline {
  %s = call i64 @sum64(i8* %p, i32 %len)
  %r = urem i64 %s, 96
  %r32 = trunc i64 %r to i32
  ret i32 %r32
}

; X64-LABEL: ak_byte_sum:
; X64: paddw
; AVX2-LABEL: ak_byte_sum:
; AVX2: vpaddw {{.*}}ymm
; WASM-LABEL: ak_byte_sum:
; WASM: v128.load
; WASM: i16x8.add
define i64 @ak_byte_sum(i8* nocapture readonly %p, i32 %len) {
  %s = call i64 @sum64(i8* %p, i32 %len)
  ret i64 %s
}

; X64-LABEL: ak_sum:
; X64: paddw
; AVX2-LABEL: ak_sum:
; AVX2: vpaddw {{.*}}ymm
; WASM-LABEL: ak_sum:
; WASM: v128.load
; WASM: i64.rem_u
define i32 @ak_sum(i8* nocapture readonly %p, i32 %len) {
  %r = call i32 @residue(i8* %p, i32 %len)
  ret i32 %r
}

; δ = (Σafter − Σbefore) mod 96 in 0..95, computed on residues so it never goes negative.
; X64-LABEL: ak_delta:
; X64: paddw
; AVX2-LABEL: ak_delta:
; AVX2: vpaddw {{.*}}ymm
; WASM-LABEL: ak_delta:
; WASM: v128.load
define i32 @ak_delta(i8* nocapture readonly %before, i8* nocapture readonly %after, i32 %len) {
  %rb = call i32 @residue(i8* %before, i32 %len)
  %ra = call i32 @residue(i8* %after, i32 %len)
  %up = add i32 %ra, 96
  %diff = sub i32 %up, %rb
  %d = urem i32 %diff, 96
  ret i32 %d
}

; 1 when Σ ≡ 0 (mod 96); len 0 is conserved.
; X64-LABEL: ak_window_check:
; X64: paddw
; WASM-LABEL: ak_window_check:
; WASM: v128.load
define i32 @ak_window_check(i8* nocapture readonly %p, i32 %len) {
  %r = call i32 @residue(i8* %p, i32 %len)
  %ok = icmp eq i32 %r, 0
  %ok32 = zext i1 %ok to i32
  ret i32 %ok32
}

; Streaming update: (residue + Σchunk) mod 96. The byte count lives with the caller.
; X64-LABEL: ak_update:
; X64: paddw
; WASM-LABEL: ak_update:
; WASM: v128.load
define i32 @ak_update(i32 %residue, i8* nocapture readonly %p, i32 %len) {
  %r = call i32 @residue(i8* %p, i32 %len)
  %s = add i32 %residue, %r
  %n = urem i32 %s, 96
  ret i32 %n
}

; Fill with val, then fix only the last byte so Σ ≡ 0: +(96−r) if it stays <= 255, else −r (never wraps).
; X64-LABEL: ak_memset:
; X64: movdqu
; AVX2-LABEL: ak_memset:
; AVX2: vmovdqu {{.*}}ymm
; WASM-LABEL: ak_memset:
; WASM: v128.store
define void @ak_memset(i8* nocapture %dst, i32 %len, i32 %val) {
entry:
  %empty = icmp eq i32 %len, 0
  br i1 %empty, label %exit, label %start

start:
  %b = trunc i32 %val to i8
  %ins = insertelement <32 x i8> undef, i8 %b, i32 0
  %splat = shufflevector <32 x i8> %ins, <32 x i8> undef, <32 x i32> zeroinitializer
  %vecbytes = and i32 %len, -32
  %any.vec = icmp ne i32 %vecbytes, 0
  br i1 %any.vec, label %vloop, label %tail.head

vloop:
  %i = phi i32 [ 0, %start ], [ %i.next, %vloop ]
  %q = getelementptr inbounds i8, i8* %dst, i32 %i
  %qv = bitcast i8* %q to <32 x i8>*
  store <32 x i8> %splat, <32 x i8>* %qv, align 1
  %i.next = add nuw nsw i32 %i, 32
  %v.done = icmp eq i32 %i.next, %vecbytes
  br i1 %v.done, label %tail.head, label %vloop

tail.head:
  %has.tail = icmp ult i32 %vecbytes, %len
  br i1 %has.tail, label %tail, label %fixup

tail:
  %k = phi i32 [ %vecbytes, %tail.head ], [ %k.next, %tail ]
  %tp = getelementptr inbounds i8, i8* %dst, i32 %k
  store i8 %b, i8* %tp, align 1
  %k.next = add nuw nsw i32 %k, 1
  %t.done = icmp eq i32 %k.next, %len
  br i1 %t.done, label %fixup, label %tail

fixup:
  %lenmod = urem i32 %len, 96
  %prod = mul i32 %val, %lenmod
  %r = urem i32 %prod, 96
  %need = icmp ne i32 %r, 0
  br i1 %need, label %adjust, label %exit

adjust:
  %up0 = add i32 %val, 96
  %up = sub i32 %up0, %r
  %down = sub i32 %val, %r
  %fits = icmp ule i32 %up, 255
  %last = select i1 %fits, i32 %up, i32 %down
  %last8 = trunc i32 %last to i8
  %lastidx = add i32 %len, -1
  %lp = getelementptr inbounds i8, i8* %dst, i32 %lastidx
  store i8 %last8, i8* %lp, align 1
  br label %exit

exit:
  ret void
}

; Pre-checks src; returns 1 (CONSERVATION) without writing dst when Σsrc ≢ 0, else copies (memmove) and returns 0.
; X64-LABEL: ak_memcpy:
; X64: paddw
; X64: memmove
; WASM-LABEL: ak_memcpy:
; WASM: v128.load
; WASM: memory.copy
define i32 @ak_memcpy(i8* nocapture %dst, i8* nocapture readonly %src, i32 %len) {
entry:
  %r = call i32 @residue(i8* %src, i32 %len)
  %bad = icmp ne i32 %r, 0
  br i1 %bad, label %reject, label %copy

copy:
  call void @llvm.memmove.p0i8.p0i8.i32(i8* align 1 %dst, i8* align 1 %src, i32 %len, i1 false)
  ret i32 0

reject:
  ret i32 1
}
