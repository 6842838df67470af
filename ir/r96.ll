; Layer 3 resonance kernels: r96(b) = b % 96, target-free, typed pointers, explicit vector IR, stack-free leaves.
; Branch-free class: y = umin(x, x − 96) subtracts 96 exactly when x >= 96 (otherwise x − 96 wraps above x);
; applying it twice maps 0..255 onto 0..95. That is two (sub, unsigned min) pairs per vector: psubb/pminub on x86,
; i8x16.sub/i8x16.min_u on wasm.
;
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64 | FileCheck-14 %s --check-prefix=X64
; RUN: opt -O3 %s | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64-v3 | FileCheck-14 %s --check-prefix=AVX2
; RUN: opt -O3 -mattr=+simd128,+atomics,+bulk-memory %s | llc -O3 -march=wasm32 -mattr=+simd128,+atomics,+bulk-memory | FileCheck-14 %s --check-prefix=WASM

declare <32 x i8> @llvm.umin.v32i8(<32 x i8>, <32 x i8>)
declare i8 @llvm.umin.i8(i8, i8)

define internal <32 x i8> @class32(<32 x i8> %x) alwaysinline {
  %x1 = sub <32 x i8> %x, <i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96>
  %y = call <32 x i8> @llvm.umin.v32i8(<32 x i8> %x, <32 x i8> %x1)
  %y1 = sub <32 x i8> %y, <i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96, i8 96>
  %z = call <32 x i8> @llvm.umin.v32i8(<32 x i8> %y, <32 x i8> %y1)
  ret <32 x i8> %z
}

define internal i8 @class1(i8 %x) alwaysinline {
  %x1 = sub i8 %x, 96
  %y = call i8 @llvm.umin.i8(i8 %x, i8 %x1)
  %y1 = sub i8 %y, 96
  %z = call i8 @llvm.umin.i8(i8 %y, i8 %y1)
  ret i8 %z
}

; Classifies len bytes: 32 per vector step, then a scalar tail.
define internal void @classify(i8* nocapture readonly %in, i8* nocapture %out, i32 %len) alwaysinline {
entry:
  %vecbytes = and i32 %len, -32
  %any.vec = icmp ne i32 %vecbytes, 0
  br i1 %any.vec, label %vloop, label %tail.head

vloop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %vloop ]
  %src = getelementptr inbounds i8, i8* %in, i32 %i
  %dst = getelementptr inbounds i8, i8* %out, i32 %i
  %srcv = bitcast i8* %src to <32 x i8>*
  %dstv = bitcast i8* %dst to <32 x i8>*
  %x = load <32 x i8>, <32 x i8>* %srcv, align 1
  %c = call <32 x i8> @class32(<32 x i8> %x)
  store <32 x i8> %c, <32 x i8>* %dstv, align 1
  %i.next = add nuw nsw i32 %i, 32
  %v.done = icmp eq i32 %i.next, %vecbytes
  br i1 %v.done, label %tail.head, label %vloop

tail.head:
  %has.tail = icmp ult i32 %vecbytes, %len
  br i1 %has.tail, label %tail, label %exit

tail:
  %k = phi i32 [ %vecbytes, %tail.head ], [ %k.next, %tail ]
  %tsrc = getelementptr inbounds i8, i8* %in, i32 %k
  %tdst = getelementptr inbounds i8, i8* %out, i32 %k
  %b = load i8, i8* %tsrc, align 1
  %bc = call i8 @class1(i8 %b)
  store i8 %bc, i8* %tdst, align 1
  %k.next = add nuw nsw i32 %k, 1
  %t.done = icmp eq i32 %k.next, %len
  br i1 %t.done, label %exit, label %tail

exit:
  ret void
}

; X64-LABEL: ak_r96_classify:
; X64: paddb
; X64: pminub
; AVX2-LABEL: ak_r96_classify:
; AVX2: vpminub {{.*}}ymm
; WASM-LABEL: ak_r96_classify:
; WASM: v128.load
; WASM: i8x16.min_u
; WASM: v128.store
define void @ak_r96_classify(i8* nocapture readonly %in, i8* nocapture %out, i32 %len) {
  call void @classify(i8* %in, i8* %out, i32 %len)
  ret void
}

; X64-LABEL: ak_r96_classify_page:
; X64: pminub
; AVX2-LABEL: ak_r96_classify_page:
; AVX2: vpminub {{.*}}ymm
; WASM-LABEL: ak_r96_classify_page:
; WASM: i8x16.min_u
define void @ak_r96_classify_page(i8* nocapture readonly %in, i8* nocapture %out) {
  call void @classify(i8* %in, i8* %out, i32 256)
  ret void
}

; r96 of every byte value (0..95, 0..95, 0..63): the histogram's class lookup. A table load per byte measured about
; twice as fast as computing the class in scalar code, which a counting loop cannot vectorize.
@r96_lut = internal unnamed_addr constant [256 x i8] [i8 0, i8 1, i8 2, i8 3, i8 4, i8 5, i8 6, i8 7, i8 8, i8 9, i8 10, i8 11, i8 12, i8 13, i8 14, i8 15, i8 16, i8 17, i8 18, i8 19, i8 20, i8 21, i8 22, i8 23, i8 24, i8 25, i8 26, i8 27, i8 28, i8 29, i8 30, i8 31, i8 32, i8 33, i8 34, i8 35, i8 36, i8 37, i8 38, i8 39, i8 40, i8 41, i8 42, i8 43, i8 44, i8 45, i8 46, i8 47, i8 48, i8 49, i8 50, i8 51, i8 52, i8 53, i8 54, i8 55, i8 56, i8 57, i8 58, i8 59, i8 60, i8 61, i8 62, i8 63, i8 64, i8 65, i8 66, i8 67, i8 68, i8 69, i8 70, i8 71, i8 72, i8 73, i8 74, i8 75, i8 76, i8 77, i8 78, i8 79, i8 80, i8 81, i8 82, i8 83, i8 84, i8 85, i8 86, i8 87, i8 88, i8 89, i8 90, i8 91, i8 92, i8 93, i8 94, i8 95, i8 0, i8 1, i8 2, i8 3, i8 4, i8 5, i8 6, i8 7, i8 8, i8 9, i8 10, i8 11, i8 12, i8 13, i8 14, i8 15, i8 16, i8 17, i8 18, i8 19, i8 20, i8 21, i8 22, i8 23, i8 24, i8 25, i8 26, i8 27, i8 28, i8 29, i8 30, i8 31, i8 32, i8 33, i8 34, i8 35, i8 36, i8 37, i8 38, i8 39, i8 40, i8 41, i8 42, i8 43, i8 44, i8 45, i8 46, i8 47, i8 48, i8 49, i8 50, i8 51, i8 52, i8 53, i8 54, i8 55, i8 56, i8 57, i8 58, i8 59, i8 60, i8 61, i8 62, i8 63, i8 64, i8 65, i8 66, i8 67, i8 68, i8 69, i8 70, i8 71, i8 72, i8 73, i8 74, i8 75, i8 76, i8 77, i8 78, i8 79, i8 80, i8 81, i8 82, i8 83, i8 84, i8 85, i8 86, i8 87, i8 88, i8 89, i8 90, i8 91, i8 92, i8 93, i8 94, i8 95, i8 0, i8 1, i8 2, i8 3, i8 4, i8 5, i8 6, i8 7, i8 8, i8 9, i8 10, i8 11, i8 12, i8 13, i8 14, i8 15, i8 16, i8 17, i8 18, i8 19, i8 20, i8 21, i8 22, i8 23, i8 24, i8 25, i8 26, i8 27, i8 28, i8 29, i8 30, i8 31, i8 32, i8 33, i8 34, i8 35, i8 36, i8 37, i8 38, i8 39, i8 40, i8 41, i8 42, i8 43, i8 44, i8 45, i8 46, i8 47, i8 48, i8 49, i8 50, i8 51, i8 52, i8 53, i8 54, i8 55, i8 56, i8 57, i8 58, i8 59, i8 60, i8 61, i8 62, i8 63], align 64

; One page: zero 96 u16 counters (a vector store loop; wasm lowers it to memory.fill), then count 8 bytes per step
; from one i64 load.
define internal void @histogram(i8* nocapture readonly %in, i16* nocapture %out) alwaysinline {
entry:
  %o = bitcast i16* %out to <8 x i16>*
  br label %zero

zero:
  %z = phi i32 [ 0, %entry ], [ %z.next, %zero ]
  %zp = getelementptr inbounds <8 x i16>, <8 x i16>* %o, i32 %z
  store <8 x i16> zeroinitializer, <8 x i16>* %zp, align 2
  %z.next = add nuw nsw i32 %z, 1
  %z.done = icmp eq i32 %z.next, 12
  br i1 %z.done, label %count, label %zero

count:
  %i = phi i32 [ 0, %zero ], [ %i.next, %count ]
  %wp0 = getelementptr inbounds i8, i8* %in, i32 %i
  %wp = bitcast i8* %wp0 to i64*
  %w = load i64, i64* %wp, align 1
  %s0 = lshr i64 %w, 0
  %t0 = trunc i64 %s0 to i8
  %bi0 = zext i8 %t0 to i32
  %lp0 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi0
  %c0 = load i8, i8* %lp0, align 1
  %ci0 = zext i8 %c0 to i32
  %hp0 = getelementptr inbounds i16, i16* %out, i32 %ci0
  %h0 = load i16, i16* %hp0, align 2
  %h10 = add i16 %h0, 1
  store i16 %h10, i16* %hp0, align 2
  %s1 = lshr i64 %w, 8
  %t1 = trunc i64 %s1 to i8
  %bi1 = zext i8 %t1 to i32
  %lp1 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi1
  %c1 = load i8, i8* %lp1, align 1
  %ci1 = zext i8 %c1 to i32
  %hp1 = getelementptr inbounds i16, i16* %out, i32 %ci1
  %h1 = load i16, i16* %hp1, align 2
  %h11 = add i16 %h1, 1
  store i16 %h11, i16* %hp1, align 2
  %s2 = lshr i64 %w, 16
  %t2 = trunc i64 %s2 to i8
  %bi2 = zext i8 %t2 to i32
  %lp2 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi2
  %c2 = load i8, i8* %lp2, align 1
  %ci2 = zext i8 %c2 to i32
  %hp2 = getelementptr inbounds i16, i16* %out, i32 %ci2
  %h2 = load i16, i16* %hp2, align 2
  %h12 = add i16 %h2, 1
  store i16 %h12, i16* %hp2, align 2
  %s3 = lshr i64 %w, 24
  %t3 = trunc i64 %s3 to i8
  %bi3 = zext i8 %t3 to i32
  %lp3 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi3
  %c3 = load i8, i8* %lp3, align 1
  %ci3 = zext i8 %c3 to i32
  %hp3 = getelementptr inbounds i16, i16* %out, i32 %ci3
  %h3 = load i16, i16* %hp3, align 2
  %h13 = add i16 %h3, 1
  store i16 %h13, i16* %hp3, align 2
  %s4 = lshr i64 %w, 32
  %t4 = trunc i64 %s4 to i8
  %bi4 = zext i8 %t4 to i32
  %lp4 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi4
  %c4 = load i8, i8* %lp4, align 1
  %ci4 = zext i8 %c4 to i32
  %hp4 = getelementptr inbounds i16, i16* %out, i32 %ci4
  %h4 = load i16, i16* %hp4, align 2
  %h14 = add i16 %h4, 1
  store i16 %h14, i16* %hp4, align 2
  %s5 = lshr i64 %w, 40
  %t5 = trunc i64 %s5 to i8
  %bi5 = zext i8 %t5 to i32
  %lp5 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi5
  %c5 = load i8, i8* %lp5, align 1
  %ci5 = zext i8 %c5 to i32
  %hp5 = getelementptr inbounds i16, i16* %out, i32 %ci5
  %h5 = load i16, i16* %hp5, align 2
  %h15 = add i16 %h5, 1
  store i16 %h15, i16* %hp5, align 2
  %s6 = lshr i64 %w, 48
  %t6 = trunc i64 %s6 to i8
  %bi6 = zext i8 %t6 to i32
  %lp6 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi6
  %c6 = load i8, i8* %lp6, align 1
  %ci6 = zext i8 %c6 to i32
  %hp6 = getelementptr inbounds i16, i16* %out, i32 %ci6
  %h6 = load i16, i16* %hp6, align 2
  %h16 = add i16 %h6, 1
  store i16 %h16, i16* %hp6, align 2
  %s7 = lshr i64 %w, 56
  %t7 = trunc i64 %s7 to i8
  %bi7 = zext i8 %t7 to i32
  %lp7 = getelementptr inbounds [256 x i8], [256 x i8]* @r96_lut, i32 0, i32 %bi7
  %c7 = load i8, i8* %lp7, align 1
  %ci7 = zext i8 %c7 to i32
  %hp7 = getelementptr inbounds i16, i16* %out, i32 %ci7
  %h7 = load i16, i16* %hp7, align 2
  %h17 = add i16 %h7, 1
  store i16 %h17, i16* %hp7, align 2
  %i.next = add nuw nsw i32 %i, 8
  %c.done = icmp eq i32 %i.next, 256
  br i1 %c.done, label %exit, label %count

exit:
  ret void
}

; X64-LABEL: ak_r96_histogram_page:
; X64: r96_lut
; WASM-LABEL: ak_r96_histogram_page:
; WASM: memory.fill
; WASM: i32.const r96_lut
; WASM: i32.load16_u
define void @ak_r96_histogram_page(i8* nocapture readonly %in, i16* nocapture %out) {
  call void @histogram(i8* %in, i16* %out)
  ret void
}

; Histogram of each whole page: page p's 96 counters at out[96p ..].
; X64-LABEL: ak_r96_histogram_pages:
; X64: r96_lut
; WASM-LABEL: ak_r96_histogram_pages:
; WASM: memory.fill
define void @ak_r96_histogram_pages(i8* nocapture readonly %in, i16* nocapture %out, i32 %pages) {
entry:
  %none = icmp eq i32 %pages, 0
  br i1 %none, label %exit, label %loop

loop:
  %p = phi i32 [ 0, %entry ], [ %p.next, %loop ]
  %inoff = shl nuw nsw i32 %p, 8
  %outoff = mul nuw nsw i32 %p, 96
  %pin = getelementptr inbounds i8, i8* %in, i32 %inoff
  %pout = getelementptr inbounds i16, i16* %out, i32 %outoff
  call void @histogram(i8* %pin, i16* %pout)
  %p.next = add nuw nsw i32 %p, 1
  %done = icmp eq i32 %p.next, %pages
  br i1 %done, label %exit, label %loop

exit:
  ret void
}

; (r1 + r2) % 96 == 0 for classes already checked to be in 0..95.
; X64-LABEL: ak_r96_harmonizes:
; WASM-LABEL: ak_r96_harmonizes:
; WASM: i32.rem_u
define i32 @ak_r96_harmonizes(i32 %r1, i32 %r2) {
  %s = add i32 %r1, %r2
  %m = urem i32 %s, 96
  %ok = icmp eq i32 %m, 0
  %ok32 = zext i1 %ok to i32
  ret i32 %ok32
}
